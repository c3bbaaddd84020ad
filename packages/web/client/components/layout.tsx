import type { ComponentChildren } from 'preact';
import { navigate, withParams, type Location } from '../router.js';
import { TIME_RANGES, timeQuery } from '../scope.js';

const NAV = [
  { href: '/', label: 'Overview', match: (p: string) => p === '/' },
  { href: '/sessions', label: 'Sessions', match: (p: string) => p === '/sessions' || p.startsWith('/sessions/') },
  { href: '/waste', label: 'Waste', match: (p: string) => p === '/waste' },
  { href: '/leverage', label: 'Leverage', match: (p: string) => p === '/leverage' },
  { href: '/outcomes', label: 'Outcomes', match: (p: string) => p === '/outcomes' },
];

export function Layout({ loc, children }: { loc: Location; children: ComponentChildren }) {
  const since = loc.params.get('since') ?? 'all';
  const known = TIME_RANGES.some((r) => r.value === since);
  const detail = loc.path.startsWith('/sessions/');
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={`/${timeQuery(loc)}`}>
          <span class="logo" aria-hidden="true">◢</span> Fulcrum
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const current = n.match(loc.path);
              return (
                <li key={n.href}>
                  <a href={`${n.href}${timeQuery(loc)}`} aria-current={current ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="top-tools">
          {!detail && (
            <select
                aria-label="Time range"
                value={since}
                onChange={(e) => {
                  const v = (e.currentTarget as HTMLSelectElement).value;
                  navigate(withParams(loc, { since: v === 'all' ? undefined : v, until: undefined, page: undefined }));
                }}
              >
                {TIME_RANGES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
                {!known && <option value={since}>Since {since}</option>}
              </select>
          )}
          <a class="docs-link" href="/docs">
            API docs
          </a>
        </div>
      </header>
      {children}
    </>
  );
}
