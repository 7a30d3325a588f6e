// The web dashboard's static files, served at /dashboard/ (built by `npm run build` into dist/dashboard/www).
// They hold no data: the page calls the Kubernetes API with the user's own bearer token, so anyone may load them.
// index.html answers every /dashboard/ path (the page routes in the browser) and is revalidated on each load;
// assets/ have content hashes in their names and are cached forever. Every answer carries a Content-Security-
// Policy that allows scripts, styles and connections to this server only (no inline script or style, no framing).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApiError } from '../errors.js';
import { packageRoot } from '../../lib/util/package-root.js';

/** Where `npm run build` puts the page's bundle. */
export const DEFAULT_ROOT = join(packageRoot(import.meta.url), 'dist', 'dashboard', 'www');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface File {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

interface Bundle {
  stamp: number;
  index: File;
  assets: Map<string, File>;
}

const bundles = new Map<string, Bundle>();

function load(path: string): File {
  const body = readFileSync(path);
  return { body, gzip: gzipSync(body), type: TYPES[extname(path)] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The built files of root, read once and again whenever index.html changes (a rebuild). */
function bundle(root: string): Bundle {
  let stamp: number;
  try {
    stamp = statSync(join(root, 'index.html')).mtimeMs;
  } catch {
    throw new ApiError(404, 'NotFound', 'the dashboard is not built: run `npm run build` (or scripts/setup.sh)');
  }
  const cached = bundles.get(root);
  if (cached?.stamp === stamp) return cached;
  const assets = new Map<string, File>();
  for (const name of readdirSync(join(root, 'assets'))) if (TYPES[extname(name)]) assets.set(name, load(join(root, 'assets', name)));
  const b = { stamp, index: load(join(root, 'index.html')), assets };
  bundles.set(root, b);
  return b;
}

function send(req: IncomingMessage, res: ServerResponse, f: File, cache: string): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  res.setHeader('Content-Type', f.type);
  res.setHeader('Cache-Control', cache);
  res.setHeader('ETag', f.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (req.headers['if-none-match'] === f.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? f.gzip : f.body;
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers a GET or HEAD under /dashboard. */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, url: URL, root = DEFAULT_ROOT): void {
  if (url.pathname === '/dashboard') {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    res.statusCode = 301;
    res.setHeader('Location', `/dashboard/${url.search}`);
    res.end();
    return;
  }
  const b = bundle(root);
  const rest = url.pathname.slice('/dashboard/'.length);
  if (rest.startsWith('assets/')) {
    const name = rest.slice('assets/'.length);
    // names come from a map of the files read, never from the path: nothing outside assets/ can be reached
    const f = b.assets.get(name);
    if (!f) throw new ApiError(404, 'NotFound', `no dashboard asset "${name}"`);
    return send(req, res, f, 'public, max-age=31536000, immutable');
  }
  send(req, res, b.index, 'no-cache');
}
