import { Layout } from './components/layout.js';
import { Page } from './components/page.js';
import { Leverage } from './pages/leverage.js';
import { Outcomes } from './pages/outcomes.js';
import { Overview } from './pages/overview.js';
import { Session } from './pages/session.js';
import { Sessions } from './pages/sessions.js';
import { Waste } from './pages/waste.js';
import { useLocation, type Location } from './router.js';

function route(loc: Location) {
  const path = loc.path.length > 1 ? loc.path.replace(/\/+$/, '') : loc.path;
  if (path === '/') return <Overview loc={loc} />;
  if (path === '/sessions') return <Sessions loc={loc} />;
  const session = /^\/sessions\/(.+)$/.exec(path);
  if (session) {
    let id = session[1];
    try {
      id = decodeURIComponent(id);
    } catch {
      // A malformed escape: look it up as written.
    }
    // Keyed by id: another session starts from a clean state (collapsed rows, selection).
    return <Session key={id} loc={loc} id={id} />;
  }
  if (path === '/waste') return <Waste loc={loc} />;
  if (path === '/leverage') return <Leverage loc={loc} />;
  if (path === '/outcomes') return <Outcomes loc={loc} />;
  return (
    <Page title="Not found" busy={false}>
      <p>
        There is no page at <code>{loc.path}</code>. Go to the <a href="/">overview</a>.
      </p>
    </Page>
  );
}

export function App() {
  const loc = useLocation();
  return <Layout loc={loc}>{route(loc)}</Layout>;
}
