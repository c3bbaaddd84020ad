// A History API router: the URL is the state (path, filters in the query string), links are plain <a href>.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  params: URLSearchParams;
  hash: string;
}

const listeners = new Set<() => void>();
const current = (): Location => ({ path: window.location.pathname, params: new URLSearchParams(window.location.search), hash: window.location.hash });
const notify = () => listeners.forEach((l) => l());

/** Goes to a same-origin URL without reloading. `replace` edits the current history entry (filters typed, not pages visited). */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  const target = new URL(url, window.location.href);
  const samePage = target.pathname === window.location.pathname;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  if (!samePage) window.scrollTo(0, 0);
  notify();
}

/** The URL with some query parameters changed; undefined or '' removes one. */
export function withParams(loc: Location, patch: Record<string, string | undefined>, path = loc.path): string {
  const p = new URLSearchParams(loc.params);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  const q = p.toString();
  return `${path}${q ? `?${q}` : ''}`;
}

/** The current location, re-rendering on navigation, back and forward, and hash changes. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    window.addEventListener('hashchange', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return loc;
}

/** Same-origin link clicks become navigations; a new tab, a download or another origin stay the browser's. */
export function interceptLinks(): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || !a.href || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href);
    if (url.origin !== window.location.origin) return;
    // In-page anchors (#span-…) are left to the browser, which fires hashchange.
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    // Pages the server owns (API docs, JSON) load as documents.
    if (/^\/(api|docs|openapi\.json|healthz|v1)(\/|$)/.test(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
