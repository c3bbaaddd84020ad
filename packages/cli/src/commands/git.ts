import { resolve } from 'node:path';
import { DEFAULT_DATA_DIR, openStore, readDataDirHolder } from '@fulcrum/store';
import { validProjectName } from '@fulcrum/ingest';
import { parseTime, QueryParamError } from '@fulcrum/query';
import { redact } from '@fulcrum/vocab';
import { parseFlags } from '../args.js';
import { UsageError } from '../errors.js';
import { progressBar } from '../render/progress.js';
import { plural } from '../render/format.js';
import { describeStoreError, storeOptions, STORE_FLAGS, STORE_HELP } from '../store-flags.js';
import { serverUrl } from '../query/backend.js';
import { checkRepository, defaultBranch, namedBranch, repositoryName } from '../git/repo.js';
import { serverSink, storeSink, type SinkTarget } from '../git/sinks.js';
import { syncBranch, type GitSink, type SyncResult } from '../git/sync.js';

export const GIT_HELP = `Usage: fulcrum git sync <repo-path> [options]

Reads what landed on a repository's default branch with the git CLI and stores
one row per commit (author and commit time, PR number, agent co-authors and
session ids from trailers, the commit it reverts) and its files' lines added
and removed. Outcome figures (landed lines, survival, revert rate) are computed
from these rows. Running it again reads only the commits since the last sync
and adds nothing twice. It then links sessions to the commits they made, and
blames (git blame --first-parent) the files new commits touched, for survival
after 30 days and rework within 21 (docs/outcomes.md), also through a server.

The branch's first-parent history is read: a squash-merged PR is its commit,
a merged PR is its merge commit with the PR's whole diff. A merged PR's own
commits are stored too (for linking sessions by hash), their lines counted
once, on the merge. Author emails are stored as a SHA-256 hash
only, subjects with secrets redacted; message bodies are not stored.

Trailers read (any case, anywhere after the subject):
  Co-authored-by: Claude <noreply@anthropic.com>   → claude-code (name "Claude", or @anthropic.com)
  Co-authored-by: Codex <noreply@openai.com>       → codex (name "Codex", or @openai.com)
  Co-authored-by: Gemini <…>                       → gemini-cli (name "Gemini")
  Session-Id:, Fulcrum-Session:, Claude-Session:, Codex-Session:, Gemini-Session: (and *-Session-Id:)
                                                   → session ids (a URL counts by its last segment)
  PR number: "Merge pull request #N from …" or a subject ending "(#N)"; reverts: "This reverts commit X".

Options:
  --repository <name>     name to store commits under (default: the origin remote's owner/name,
                          else the repository folder's name)
  --branch <branch>       branch to read (default: origin/HEAD's branch, else the checked-out one)
  --since <t>             only commits since then: ISO date/time or a duration before now (90d, 2w)
  --project <p>           project (default "default", env FULCRUM_PROJECT); with --server, the API key's
  --server <url>          send the commits to a running "fulcrum serve" (env FULCRUM_SERVER; found from
                          the data dir when a server holds it)
  --api-key <key>         API key for a server that requires one (env FULCRUM_API_KEY)
${STORE_HELP}
  -h, --help              show this help

Examples:
  fulcrum git sync .
  fulcrum git sync ~/src/api --since 180d
  fulcrum git sync ~/src/api --repository acme/api --branch main
  FULCRUM_API_KEY=fk_… fulcrum git sync . --server http://127.0.0.1:4318
`;

const FLAGS = {
  ...STORE_FLAGS,
  repository: { type: 'string' },
  branch: { type: 'string' },
  since: { type: 'string' },
  project: { type: 'string' },
  server: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

function sinceMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTime('since', value).getTime();
  } catch (err) {
    if (err instanceof QueryParamError) throw new UsageError(`--since must be an ISO date or a duration like 90d, 2w, 24h, got "${value}"`);
    throw err;
  }
}

/** Runs one sync with a progress bar on a TTY (nothing on stderr otherwise). */
async function run(path: string, ref: string, sink: GitSink, since: number | undefined): Promise<SyncResult> {
  const tty = process.stderr.isTTY === true;
  let bar: ReturnType<typeof progressBar> | undefined;
  const result = await syncBranch({
    // Survival and rework are blamed here, where the repository is, and stored where the commits go.
    path, ref, sink, sinceMs: since, survival: {},
    onProgress: tty ? (done, total) => (bar ??= progressBar('reading commits', total)).update(done) : undefined,
  });
  bar?.done();
  return result;
}

async function sync(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(GIT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`git sync takes one repository path, got ${positionals.length} (run "fulcrum git sync --help")`);
  const path = resolve(positionals[0]!);
  const s = (k: string) => values[k] as string | undefined;
  const since = sinceMs(s('since'));
  const project = s('project') ?? (env.FULCRUM_PROJECT || undefined);
  if (project !== undefined && !validProjectName(project)) throw new UsageError(`invalid --project "${project}": use letters, digits, ".", "_" or "-"`);
  const repository = s('repository');
  if (repository !== undefined && repository.trim() === '') throw new UsageError('--repository must not be empty');

  checkRepository(path);
  const { ref, branch } = s('branch') !== undefined ? namedBranch(path, s('branch')!) : defaultBranch(path);
  const target: SinkTarget = { project: project ?? 'default', repository: repository ?? repositoryName(path), branch, redact, root: path };
  const apiKey = s('api-key') ?? (env.FULCRUM_API_KEY || undefined);
  const report = (r: SyncResult) => {
    const where = `${target.repository} ${branch}`;
    const what = r.since && r.commits === 0 ? 'no new commits' : `${plural(r.commits, r.since ? 'new commit' : 'commit')}, ${plural(r.files, 'file change')}`;
    const brought = r.prCommits ? `, ${plural(r.prCommits, 'PR commit')} merges brought in` : '';
    const refused = r.rejected ? `; ${plural(r.rejected, 'item')} refused` : '';
    process.stdout.write(`synced ${where}: ${what}${brought}${r.tip ? ` (up to ${r.tip.slice(0, 12)})` : ' (no commits yet)'}${refused}\n`);
    if (r.linked) {
      const { trailer, commit, files } = r.linked;
      process.stdout.write(`linked ${plural(trailer + commit + files, 'session-commit pair')}: ${trailer} by trailer, ${commit} by the commit a session made, ${files} by files edited\n`);
    }
  };

  const flag = s('server');
  let server = flag ?? (env.FULCRUM_SERVER || undefined);
  let serverSource = flag !== undefined ? '--server' : 'FULCRUM_SERVER';
  if (server === undefined) {
    const opts = storeOptions(values, env);
    if (!opts.url) {
      // An embedded data directory is held by one process: while a server holds it, the commits go through that server.
      const dir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
      const holder = readDataDirHolder(dir);
      if (holder?.url) {
        server = holder.url;
        serverSource = `the server holding ${dir}`;
      } else if (holder) {
        throw new UsageError(`data directory ${dir} is held by process ${holder.pid}, which serves no API: stop it or pass --server`);
      }
    }
    if (server === undefined) {
      const store = await openStore(opts).catch((err: Error & { code?: string }) => {
        throw new UsageError(describeStoreError(err, opts));
      });
      try {
        report(await run(path, ref, storeSink(store, target), since));
      } finally {
        await store.close();
      }
      return 0;
    }
  }
  // The server stores under its key's project; a --project that differs is refused there.
  report(await run(path, ref, serverSink(serverUrl(server, serverSource), { ...target, project: project ?? '' }, { apiKey }), since));
  return 0;
}

/** fulcrum git <subcommand>: sync. */
export async function gitCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    if (sub === undefined) {
      process.stderr.write(GIT_HELP);
      return 2;
    }
    process.stdout.write(GIT_HELP);
    return 0;
  }
  if (sub !== 'sync') throw new UsageError(`unknown git subcommand "${sub}": fulcrum git sync <repo-path> (run "fulcrum git --help")`);
  return sync(rest, env);
}
