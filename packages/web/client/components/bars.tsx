export interface Bar {
  label: string;
  value: number;
  /** Shown after the value (e.g. "of $12.00 spend"). */
  note?: string;
  /** A second, overlaid value drawn darker (e.g. the waste within the spend). */
  inner?: number;
  href?: string;
}

/** Horizontal bars as a list: the labels and values are text, the bars are decoration. */
export function Bars({ bars, format, label, innerLabel, tone }: { bars: Bar[]; format: (v: number) => string; label: string; innerLabel?: string; tone?: 'bad' }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  return (
    <ul class={`bars${tone ? ` ${tone}` : ''}`} aria-label={label}>
      {bars.map((b) => (
        <li key={b.label}>
          <span class="bar-label" title={b.label}>
            {b.href ? <a href={b.href}>{b.label}</a> : b.label}
          </span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar" style={{ width: `${max > 0 ? (b.value / max) * 100 : 0}%` }} />
            {b.inner !== undefined && <span class="bar inner" style={{ width: `${max > 0 ? (b.inner / max) * 100 : 0}%` }} />}
          </span>
          <span class="bar-value">
            {format(b.value)}
            {b.inner !== undefined && innerLabel && <span class="muted"> · {innerLabel} {format(b.inner)}</span>}
            {b.note && <span class="muted"> {b.note}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}
