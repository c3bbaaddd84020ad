import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The bundle `npm run build` writes (scripts/bundle-web.mjs): dist/app next to this module's dist/. */
export const DEFAULT_APP_DIR = fileURLToPath(new URL('../dist/app/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One built file held in memory, with its gzipped form when that is smaller. */
export interface AppFile {
  /** Path under the app directory, with forward slashes: 'index.html', 'assets/main-3F2A.js'. */
  path: string;
  contentType: string;
  body: Buffer;
  gzip?: Buffer;
}

/** The built app: index.html and its assets by path. */
export interface AppFiles {
  index: AppFile;
  assets: Map<string, AppFile>;
}

/** Thrown when the bundle is not there: the message says how to build it. */
export class MissingBundleError extends Error {
  constructor(appDir: string, what: string) {
    super(`the web app is not built: ${what} is missing in ${appDir}. Run \`npm run build\` (it bundles the app with scripts/bundle-web.mjs)`);
    this.name = 'MissingBundleError';
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.isFile() ? [full] : [];
  });
}

function load(appDir: string, file: string): AppFile {
  const body = readFileSync(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Text compresses; images and fonts already are.
  const gz = /^(text\/|application\/json|image\/svg)/.test(contentType) ? gzipSync(body, { level: 9 }) : undefined;
  return { path: relative(appDir, file).split(sep).join('/'), contentType, body, gzip: gz && gz.length < body.length ? gz : undefined };
}

/** Reads index.html and everything under assets/ into memory. Throws MissingBundleError when the app is not built. */
export function readAppFiles(appDir: string = DEFAULT_APP_DIR): AppFiles {
  const indexPath = join(appDir, 'index.html');
  if (!existsSync(indexPath) || !statSync(indexPath).isFile()) throw new MissingBundleError(appDir, 'index.html');
  const assetFiles = filesUnder(join(appDir, 'assets'));
  if (assetFiles.length === 0) throw new MissingBundleError(appDir, 'assets/');
  const assets = new Map<string, AppFile>();
  for (const f of assetFiles) {
    const file = load(appDir, f);
    assets.set(file.path.slice('assets/'.length), file);
  }
  return { index: load(appDir, indexPath), assets };
}

/** What a browser downloads to show the app. */
export interface BundleSize {
  /** Files counted: index.html and the assets, source maps left out. */
  files: number;
  bytes: number;
  /** Their size gzipped one by one, the way the server sends them. */
  gzipBytes: number;
}

/** The size of the built app, for the ≤ 300 KB (gzipped) budget. Throws MissingBundleError when the app is not built. */
export function bundleSize(appDir: string = DEFAULT_APP_DIR): BundleSize {
  const app = readAppFiles(appDir);
  const files = [app.index, ...app.assets.values()].filter((f) => !f.path.endsWith('.map'));
  return {
    files: files.length,
    bytes: files.reduce((n, f) => n + f.body.length, 0),
    gzipBytes: files.reduce((n, f) => n + (f.gzip ?? f.body).length, 0),
  };
}
