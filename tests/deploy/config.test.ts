import { DEFAULT_WEB_PORT } from '@fulcrum/server';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SPAN_COLUMNS } from '@fulcrum/store';
import { startServer } from '@fulcrum/server';
import { SERVE_HELP } from '@fulcrum/cli/commands/serve';
import { PLUGIN_ID, PLUGIN_VERSION, TRACE_TABLE } from '../../deploy/dashboards/model.js';
import { tempDataDir } from '../helpers/store.js';

/*
 * docker-compose.yml, collector-config.yaml, the Dockerfile and Grafana's
 * provisioning, checked against each other and against the ingest service's
 * defaults. No Docker engine runs here: these are the mistakes that would
 * otherwise only show on `docker compose up`.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const yaml = (p: string) => parse(read(p), { strict: true, uniqueKeys: true, merge: true }) as any;

const compose = yaml('docker-compose.yml');
const collector = yaml('collector-config.yaml');
const datasources = yaml('deploy/grafana/provisioning/datasources/clickhouse.yaml');
const providers = yaml('deploy/grafana/provisioning/dashboards/fulcrum.yaml');
const dockerfile = read('Dockerfile');
const services = compose.services as Record<string, any>;

/** "host:container" or "ip:host:container" → [host, container]. */
function ports(service: string): [number, number][] {
  return (services[service].ports ?? []).map((p: string) => {
    const parts = String(p).split(':');
    return [Number(parts.at(-2)), Number(parts.at(-1))];
  });
}
/** The host address a service publishes each port on ("" when on every interface). */
function bindings(service: string): string[] {
  return (services[service].ports ?? []).map((p: string) => {
    const parts = String(p).split(':');
    return parts.length === 3 ? parts[0]! : '';
  });
}
/** The mount of `source` (a path or volume name) in a service: its target. */
function mountTarget(service: string, source: string): string | undefined {
  const v = (services[service].volumes as string[]).map((s) => s.split(':')).find(([src]) => src === source);
  return v?.[1];
}
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
/** `${VAR:-default}` → default, as compose interpolates with nothing set. */
function interpolate(v: string): string {
  return String(v).replace(/\$\{(\w+):-([^}]*)\}/g, '$2');
}
const ingestDefaultPort = Number(/--port <n>.*default (\d+)/.exec(SERVE_HELP)![1]);

describe('docker-compose.yml', () => {
  it('runs ClickHouse, the collector, Fulcrum and Grafana from pinned images', () => {
    const image = (s: string) => services[s].image as string;
    expect(image('clickhouse')).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+\.\d+\.\d+$/);
    expect(image('collector')).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    expect(image('grafana')).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(services.fulcrum.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    for (const [name, s] of Object.entries(services)) {
      if (s.image && !s.build) expect(s.image, name).toMatch(/:\d+(\.\d+)+$/);
    }
    // GF_INSTALL_PLUGINS is deprecated; preinstall_sync takes plugin-id@version, installed before Grafana serves.
    expect(services.grafana.environment.GF_INSTALL_PLUGINS).toBeUndefined();
    expect(services.grafana.environment.GF_PLUGINS_PREINSTALL_SYNC).toBe(`${PLUGIN_ID}@${PLUGIN_VERSION}`);
  });

  it('runs a ClickHouse server no older than the embedded engine every query is tested on, and says which in the docs', async () => {
    // In a child process: libchdb binds one data directory per process, and this file opens a store.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', "import('chdb').then((c) => process.stdout.write(c.query('SELECT version()', 'CSV')))"], { cwd: ROOT, timeout: 30_000 });
    const engine = JSON.parse(stdout.trim()) as string;
    const tag = /^clickhouse\/clickhouse-server:(.+)$/.exec(services.clickhouse.image)![1]!;
    const parts = (v: string) => v.split('.').map(Number);
    const [e, t] = [parts(engine), parts(tag)];
    // The nearest release at or above the engine: same MAJOR.MINOR branch, not older.
    expect(t.slice(0, 2), `${tag} vs engine ${engine}`).toEqual(e.slice(0, 2));
    const cmp = t.map((n, i) => n - (e[i] ?? 0)).find((d) => d !== 0) ?? 0;
    expect(cmp, `${tag} vs engine ${engine}`).toBeGreaterThanOrEqual(0);
    const docs = read('docs/deployment.md');
    expect(docs).toContain(`\`clickhouse/clickhouse-server:${tag}\``);
    expect(docs).toContain(`**${engine}**`);
  });

  it('starts every service after the health of what it needs', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>)) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (cond.condition === 'service_healthy') expect(services[dep].healthcheck ?? dockerfileHealthcheck(dep), `${dep} has a health check`).toBeTruthy();
      }
    }
    expect(services.fulcrum.depends_on.clickhouse.condition).toBe('service_healthy');
    expect(services.collector.depends_on.fulcrum.condition).toBe('service_healthy');
    expect(services.grafana.depends_on.clickhouse.condition).toBe('service_healthy');
    for (const s of ['clickhouse', 'fulcrum', 'grafana']) expect(services[s].healthcheck.test.length, s).toBeGreaterThan(1);
  });

  it('lists every published port in the comment at the top, and publishes no host port twice', () => {
    const header = read('docker-compose.yml').split('\n').filter((l) => l.startsWith('#')).join('\n');
    const hostPorts = Object.keys(services).flatMap((s) => ports(s).map(([h]) => h));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const p of hostPorts) expect(header).toMatch(new RegExp(`#\\s+${p}\\s`));
    expect(hostPorts).toEqual(expect.arrayContaining([4317, 4318, 3000]));
  });

  it('publishes every port on 127.0.0.1 only, as docs/deployment.md says: auth is off until a key exists', () => {
    for (const name of Object.keys(services)) for (const ip of bindings(name)) expect(ip, name).toBe('127.0.0.1');
    expect(Object.values(services).flatMap((s: any) => s.ports ?? []).length).toBeGreaterThanOrEqual(6);
    const docs = read('docs/deployment.md');
    expect(docs).toContain('127.0.0.1');
    // The key command the docs show exists in the image: `fulcrum` on PATH runs the ENTRYPOINT's CLI.
    expect(docs).toContain('docker compose exec fulcrum fulcrum keys create --project');
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    expect(dockerfile).toContain(`exec node /app/${entry[1]} "$@"\\n' > /usr/local/bin/fulcrum && chmod 755 /usr/local/bin/fulcrum`);
    expect(dockerfile.indexOf('/usr/local/bin/fulcrum')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('serves Fulcrum on its default port inside the network and on 14318 outside', () => {
    const cmd = services.fulcrum.command as string[];
    expect(cmd[0]).toBe('serve');
    expect(Number(flag(cmd, '--port'))).toBe(ingestDefaultPort);
    expect(flag(cmd, '--host')).toBe('0.0.0.0');
    expect(Number(services.fulcrum.environment.FULCRUM_PORT)).toBe(ingestDefaultPort);
    // The ingest port as 14318 (the collector has 4318), the web app's on its own.
    expect(ports('fulcrum')).toEqual([[14318, ingestDefaultPort], [DEFAULT_WEB_PORT, DEFAULT_WEB_PORT]]);
    const spool = flag(cmd, '--spool-dir')!;
    expect(spool.startsWith(mountTarget('fulcrum', 'fulcrum-spool')! + '/')).toBe(true);
  });

  it('points Fulcrum at the ClickHouse service with the credentials ClickHouse is created with', () => {
    const env = services.fulcrum.environment;
    const url = new URL(env.FULCRUM_CLICKHOUSE_URL);
    expect(services[url.hostname]).toBe(services.clickhouse);
    expect(url.port).toBe('8123');
    const ch = services.clickhouse.environment;
    expect(interpolate(env.FULCRUM_CLICKHOUSE_USER)).toBe(interpolate(ch.CLICKHOUSE_USER));
    expect(interpolate(env.FULCRUM_CLICKHOUSE_PASSWORD)).toBe(interpolate(ch.CLICKHOUSE_PASSWORD));
    expect(interpolate(env.FULCRUM_CLICKHOUSE_DATABASE)).toBe(interpolate(ch.CLICKHOUSE_DB));
    // The health check probes the port ClickHouse serves HTTP on.
    expect(services.clickhouse.healthcheck.test.join(' ')).toContain('127.0.0.1:8123/ping');
    expect(services.fulcrum.healthcheck.test.join(' ')).toContain(`127.0.0.1:${ingestDefaultPort}/healthz`);
  });

  it('declares every named volume it mounts, and mounts every one it declares', () => {
    const named = Object.values(services).flatMap((s: any) => (s.volumes ?? []).map((v: string) => v.split(':')[0]).filter((src: string) => !src.startsWith('.')));
    expect(new Set(named)).toEqual(new Set(Object.keys(compose.volumes)));
    for (const s of Object.values(services) as any[]) {
      for (const v of (s.volumes ?? []) as string[]) if (v.startsWith('.')) expect(existsSync(join(ROOT, v.split(':')[0]!)), v).toBe(true);
    }
  });
});

describe('collector-config.yaml', () => {
  const declared = (kind: string) => Object.keys(collector[kind] ?? {});

  it('names only declared components in its pipelines and extensions', () => {
    const pipelines = collector.service.pipelines as Record<string, any>;
    expect(Object.keys(pipelines).sort()).toEqual(['logs', 'metrics', 'traces']);
    for (const [name, p] of Object.entries(pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters']) {
        expect(p[kind]?.length, `${name}.${kind}`).toBeGreaterThan(0);
        for (const c of p[kind]) expect(declared(kind), `${name}.${kind}: ${c}`).toContain(c);
      }
    }
    for (const e of collector.service.extensions) expect(declared('extensions')).toContain(e);
  });

  it('limits memory first, then batches, in every pipeline', () => {
    for (const p of Object.values(collector.service.pipelines) as any[]) {
      expect(p.processors[0]).toMatch(/^memory_limiter(\/|$)/);
      expect(p.processors.some((x: string) => /^batch(\/|$)/.test(x))).toBe(true);
    }
  });

  it('exports over OTLP/HTTP to the Fulcrum service with retries and a persistent queue on a volume', () => {
    const enabled = collector.service.extensions as string[];
    for (const name of new Set(Object.values(collector.service.pipelines).flatMap((p: any) => p.exporters as string[]))) {
      expect(name).toMatch(/^otlphttp(\/|$)/);
      const e = collector.exporters[name];
      const url = new URL(e.endpoint);
      expect(services[url.hostname], 'exporter host is a compose service').toBe(services.fulcrum);
      expect(Number(url.port)).toBe(ingestDefaultPort);
      expect(e.retry_on_failure.enabled).toBe(true);
      expect(e.sending_queue.enabled).toBe(true);
      const storage = e.sending_queue.storage as string;
      expect(storage).toMatch(/^file_storage(\/|$)/);
      expect(enabled).toContain(storage);
      if (e.auth) expect(enabled).toContain(e.auth.authenticator);
      const dir = collector.extensions[storage].directory as string;
      const volume = mountTarget('collector', 'collector-queue')!;
      expect(dir === volume || dir.startsWith(volume + '/')).toBe(true);
      // The collector runs unprivileged: the init service must own the same volume, at the same path.
      expect(mountTarget('collector-init', 'collector-queue')).toBe(volume);
      expect(services['collector-init'].command).toContain(volume);
      expect(services.collector.depends_on['collector-init'].condition).toBe('service_completed_successfully');
    }
  });

  it('receives OTLP on the ports compose publishes, with the config where the command reads it', () => {
    const grpc = new URL(`tcp://${collector.receivers.otlp.protocols.grpc.endpoint}`);
    const http = new URL(`tcp://${collector.receivers.otlp.protocols.http.endpoint}`);
    const health = new URL(`tcp://${collector.extensions.health_check.endpoint}`);
    expect([grpc.port, http.port]).toEqual(['4317', '4318']);
    const published = ports('collector');
    for (const p of [grpc.port, http.port, health.port]) expect(published).toContainEqual([Number(p), Number(p)]);
    const configPath = (services.collector.command as string[]).find((a) => a.startsWith('--config='))!.slice('--config='.length);
    expect(mountTarget('collector', './collector-config.yaml')).toBe(configPath);
  });

  it('batches per API key when it forwards the key', () => {
    const forwarded = collector.extensions.headers_setter.headers.map((h: any) => h.from_context.toLowerCase());
    expect(collector.processors.batch.metadata_keys.map((k: string) => k.toLowerCase())).toEqual(forwarded);
    expect(collector.receivers.otlp.protocols.grpc.include_metadata).toBe(true);
    expect(collector.receivers.otlp.protocols.http.include_metadata).toBe(true);
  });
});

describe('Grafana provisioning', () => {
  const ds = datasources.datasources[0];
  const grafanaEnv = services.grafana.environment as Record<string, string>;

  it('mounts provisioning and dashboards where the provider reads them', () => {
    expect(mountTarget('grafana', './deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    expect(mountTarget('grafana', './dashboards')).toBe(providers.providers[0].options.path);
    expect(grafanaEnv.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH.startsWith(providers.providers[0].options.path + '/')).toBe(true);
    const home = grafanaEnv.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH.split('/').at(-1)!;
    expect(existsSync(join(ROOT, 'dashboards', home))).toBe(true);
  });

  it('connects the installed ClickHouse plugin to the ClickHouse service with the same credentials', () => {
    expect(ds.type).toBe(grafanaEnv.GF_PLUGINS_PREINSTALL_SYNC.split('@')[0]);
    expect(services[ds.jsonData.host]).toBe(services.clickhouse);
    expect(ds.jsonData.protocol).toBe('native');
    expect(ds.jsonData.port).toBe(9000);
    const ch = services.clickhouse.environment;
    const env = (v: string) => interpolate(grafanaEnv[/^\$(\w+)$/.exec(v)![1]!]!);
    expect(env(ds.jsonData.username)).toBe(interpolate(ch.CLICKHOUSE_USER));
    expect(env(ds.secureJsonData.password)).toBe(interpolate(ch.CLICKHOUSE_PASSWORD));
    expect(env(ds.jsonData.defaultDatabase)).toBe(interpolate(ch.CLICKHOUSE_DB));
    expect(env(ds.jsonData.traces.defaultDatabase)).toBe(interpolate(services.fulcrum.environment.FULCRUM_CLICKHOUSE_DATABASE));
  });

  it('maps the trace view onto the deduplicated spans view with OpenTelemetry column names', () => {
    const t = ds.jsonData.traces;
    // spans_trace is `SELECT * FROM spans FINAL`: the same columns, each span once.
    expect(t.defaultTable).toBe(TRACE_TABLE);
    expect(t.otelEnabled).toBe(true);
    expect(t.durationUnit).toBe('nanoseconds');
    const columns = Object.entries(t).filter(([k]) => k.endsWith('Column'));
    expect(columns.length).toBeGreaterThanOrEqual(10);
    for (const [k, v] of columns) expect(SPAN_COLUMNS as readonly string[], k).toContain(v);
    expect([t.traceEventsColumnPrefix, t.traceLinksColumnPrefix]).toEqual(['Events', 'Links']);
    expect(t.flattenNested).toBe(false);
    for (const prefix of [t.traceEventsColumnPrefix, t.traceLinksColumnPrefix]) {
      expect(SPAN_COLUMNS.some((c) => c.startsWith(`${prefix}.`)), prefix).toBe(true);
    }
  });
});

function dockerfileHealthcheck(service: string): boolean {
  return services[service].build !== undefined && /^HEALTHCHECK /m.test(dockerfile);
}

describe('Dockerfile', () => {
  const workspaces = (JSON.parse(read('package.json')).workspaces as string[]);
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('builds from node:20-bookworm-slim with the lockfile and npm run build, and runs fulcrum serve as compose does', () => {
    expect(dockerfile.match(/^FROM (\S+)/gm)!.every((f) => f === 'FROM node:20-bookworm-slim')).toBe(true);
    // npm install (as the README and CI do, see the Dockerfile) with the lockfile copied beside package.json;
    // without scripts, as the root's prepare script would build before the sources are copied.
    expect(dockerfile).toMatch(/^RUN npm install --no-audit --no-fund --ignore-scripts$/m);
    expect(dockerfile).toMatch(/^COPY package.json package-lock.json \.\/$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
    expect(entry).toEqual(['node', 'packages/cli/dist/bin.js']);
    expect(cmd).toEqual(services.fulcrum.command);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${ingestDefaultPort} ${DEFAULT_WEB_PORT}$`, 'm'));
  });

  it('copies every workspace manifest into both stages and every built package into the runtime', () => {
    for (const ws of workspaces) {
      expect(dockerfile.match(new RegExp(`^COPY ${ws}/package.json ${ws}/$`, 'gm'))?.length, ws).toBe(2);
      expect(dockerfile).toMatch(new RegExp(`^COPY --from=build /app/${ws}/dist ${ws}/dist$`, 'm'));
    }
  });

  it('copies only files that exist and that .dockerignore keeps in the context', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), src).toBe(true);
      expect(ignored.some((pattern) => src === pattern || src.startsWith(pattern + '/')), `${src} is ignored`).toBe(false);
    }
    for (const p of ['node_modules', '**/dist', '.fulcrum', '.git']) expect(ignored).toContain(p);
  });

  it('has a health check that passes against a live ingest and fails without one', async () => {
    const script = /HEALTHCHECK [^\n]*\\\n\s*CMD (\[.+\])$/m.exec(dockerfile);
    const [node, e, code] = JSON.parse(script![1]!) as string[];
    expect([node, e]).toEqual(['node', '-e']);
    expect(services.fulcrum.healthcheck.test.slice(1)).toEqual(JSON.parse(script![1]!));
    const server = await startServer({ port: 0, store: { dataDir: tempDataDir() } });
    const port = new URL(server.url).port;
    // Asynchronous: the server answers from this very process.
    const probe = async (p: string) => {
      try {
        await promisify(execFile)(process.execPath, ['-e', code!.replace(`:${ingestDefaultPort}/`, `:${p}/`)], { timeout: 10_000 });
        return 0;
      } catch (err) {
        return (err as { code: number }).code;
      }
    };
    try {
      expect(await probe(port)).toBe(0);
    } finally {
      await server.close();
    }
    expect(await probe(port)).toBe(1);
  });
});
