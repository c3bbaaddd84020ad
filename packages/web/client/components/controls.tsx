import { shortId } from '../format.js';
import { navigate, withParams, type Location } from '../router.js';
import { DIMENSION_LABELS, DIMENSIONS } from '../types.js';

/** The dimension a page groups by, kept in the URL's `by`. */
export function GroupBySelect({ loc, by, label }: { loc: Location; by: string; label: string }) {
  return (
    <label class="inline-field">
      {label}
      <select aria-label={label} value={by} onChange={(e) => navigate(withParams(loc, { by: (e.currentTarget as HTMLSelectElement).value }), { replace: true })}>
        {DIMENSIONS.map((d) => (
          <option key={d} value={d}>
            {DIMENSION_LABELS[d]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A session's id, shortened, linking to its page; the whole id in the tooltip. */
export function SessionLink({ id }: { id: string }) {
  return (
    <a class="mono" href={`/sessions/${encodeURIComponent(id)}`} title={id}>
      {shortId(id)}
    </a>
  );
}
