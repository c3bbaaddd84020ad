import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setApiKey, useAuth, type ApiError } from '../api.js';

interface PageProps {
  title: string;
  /** True while the page's data loads: main[aria-busy] tells tests and screen readers. */
  busy: boolean;
  /** The first failed request's error, shown as an alert. */
  error?: ApiError;
  /** Beside the title (filters, pickers). */
  actions?: ComponentChildren;
  children?: ComponentChildren;
}

/** One page: <main> with its <h1>, an alert for an API error, and the key prompt when the API asks for one. */
export function Page({ title, busy, error, actions, children }: PageProps) {
  const auth = useAuth();
  useEffect(() => {
    document.title = `${title} · Fulcrum`;
  }, [title]);
  const showAuth = auth.needed;
  return (
    <main id="main" tabIndex={-1} aria-busy={busy && !showAuth ? 'true' : 'false'}>
      <div class="page-head">
        <h1>{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {showAuth ? (
        <KeyForm message={auth.message} />
      ) : (
        <>
          {error && (
            <div role="alert" class="alert">
              {error.message}
            </div>
          )}
          {children}
        </>
      )}
    </main>
  );
}

/** Asks for an API key once per tab; it is kept in sessionStorage and sent as a bearer token. */
function KeyForm({ message }: { message: string }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="key-form panel"
      aria-label="API key"
      onSubmit={(e) => {
        e.preventDefault();
        if (key.trim()) setApiKey(key.trim());
      }}
    >
      <p>This server requires an API key. It is kept for this tab only and never put in a URL.</p>
      {message && (
        <div role="alert" class="alert">
          {message}
        </div>
      )}
      <div class="field-row">
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} required />
        <button type="submit" class="primary">
          Use key
        </button>
      </div>
      <p class="muted">
        Create one with <code>fulcrum keys create --project NAME</code>.
      </p>
    </form>
  );
}

const CLAUDE_CODE_ENV = `export CLAUDE_CODE_ENABLE_TELEMETRY=1
export OTEL_LOGS_EXPORTER=otlp OTEL_METRICS_EXPORTER=otlp
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318`;

/** What to do when there is nothing to show yet. */
export function ConnectHelp({ what = 'No sessions yet.' }: { what?: string }) {
  return (
    <section class="empty panel" aria-label="Getting started">
      <h2>{what}</h2>
      <p>Send Fulcrum some agent sessions:</p>
      <ol>
        <li>
          <strong>Connect Claude Code:</strong> set these before you start <code>claude</code> (the endpoint is this server's OTLP port):
          <pre>
            <code>{CLAUDE_CODE_ENV}</code>
          </pre>
        </li>
        <li>
          <strong>Or import past sessions</strong> from Claude Code's transcripts: <code>npx fulcrum import claude-code</code>
        </li>
        <li>
          <strong>Or try the demo</strong>, a generated week of sessions: <code>npm run demo</code>
        </li>
      </ol>
      <p class="muted">
        If you filtered by a time range or a group, widen it: the sessions may lie outside it.
      </p>
    </section>
  );
}

/** A muted note where a table would be empty. */
export const Empty = ({ children }: { children: ComponentChildren }) => <p class="empty-note">{children}</p>;
