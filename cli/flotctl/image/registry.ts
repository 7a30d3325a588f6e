// The cluster's image registry: where it is (--registry, else the cluster.json `flotilla up` keeps beside the
// kubeconfig in use), and what it holds, through the registry's HTTP API (the distribution spec's /v2/_catalog,
// /v2/NAME/tags/list and manifest HEADs: documented, stable, and a GET each, so fetched directly).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from '../context.js';

export interface Registry {
  /** `HOST:PORT` as image references name it. */
  host: string;
  /** Where the address came from, for messages: `--registry` or the cluster.json read. */
  from: string;
}

/** Every manifest type a registry may hold, so a HEAD answers with the digest of whichever it is. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const HOST = /^[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

/** The registry to use: the flag, else the cluster.json beside one of the kubeconfig files in use. */
export function findRegistry(flag: string | undefined, kubeconfigs: () => string[]): Registry {
  if (flag !== undefined) {
    if (!HOST.test(flag)) throw new CliError(`error: --registry must be HOST:PORT (such as 127.0.0.1:5000), not "${flag}"`);
    return { host: flag, from: '--registry' };
  }
  const files = kubeconfigs();
  for (const k of files) {
    const f = join(dirname(k), 'cluster.json');
    if (!existsSync(f)) continue;
    let port: unknown;
    try {
      port = (JSON.parse(readFileSync(f, 'utf8')) as { registryPort?: unknown }).registryPort;
    } catch (e) {
      throw new CliError(`error: ${f}: ${(e as Error).message}`);
    }
    // the registry `flotilla up` runs listens on loopback only, as the node's containerd reaches it
    if (typeof port === 'number' && Number.isInteger(port) && port > 0) return { host: `127.0.0.1:${port}`, from: f };
  }
  const where = files.length ? `beside the kubeconfig (${files.join(', ')})` : '(no kubeconfig file is in use)';
  throw new CliError(`error: cannot tell which registry the cluster pulls from: no cluster.json of a \`flotilla up\` cluster ${where}; give --registry HOST:PORT`);
}

/** Loopback registries are reached over plain HTTP, as the cluster's own is; any other over HTTPS. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

const base = (r: Registry) => `${isLoopback(r.host) ? 'http' : 'https'}://${r.host}`;

async function call(r: Registry, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${base(r)}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`error: the registry ${r.host} cannot be reached (${cause?.code ?? cause?.message ?? (e as Error).message}): is the cluster up? (registry from ${r.from})`);
  }
}

async function failed(r: Registry, path: string, res: Response): Promise<CliError> {
  const body = (await res.text().catch(() => '')).trim();
  return new CliError(`error: the registry ${r.host} answered ${res.status} to GET ${path}${body ? `: ${body.slice(0, 300)}` : ''}`);
}

/** The path and query of a Link header's rel="next" (how the registry pages long lists), if any. */
export function nextLink(link: string | null): string | undefined {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!m) return undefined;
  const u = new URL(m[1] as string, 'http://registry');
  return `${u.pathname}${u.search}`;
}

/** Every page of a paged list (`repositories` of the catalog, `tags` of a repository). */
async function pages(r: Registry, first: string, key: 'repositories' | 'tags'): Promise<string[]> {
  const out: string[] = [];
  for (let path: string | undefined = first; path;) {
    const res = await call(r, path);
    if (res.status === 404 && key === 'tags') return out; // a repository without tags (all deleted)
    if (!res.ok) throw await failed(r, path, res);
    const body = (await res.json()) as Record<string, unknown>;
    const items = body[key];
    if (Array.isArray(items)) out.push(...items.filter((x): x is string => typeof x === 'string'));
    path = nextLink(res.headers.get('link'));
  }
  return out;
}

export const repositories = (r: Registry): Promise<string[]> => pages(r, '/v2/_catalog?n=1000', 'repositories');

export const tagsOf = (r: Registry, repo: string): Promise<string[]> => pages(r, `/v2/${repo}/tags/list?n=1000`, 'tags');

/** The digest of a tag's manifest, as the registry reports it (Docker-Content-Digest); undefined when it is gone. */
export async function digestOf(r: Registry, repo: string, tag: string): Promise<string | undefined> {
  const path = `/v2/${repo}/manifests/${encodeURIComponent(tag)}`;
  const res = await call(r, path, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw await failed(r, path, res);
  return res.headers.get('docker-content-digest') ?? undefined;
}
