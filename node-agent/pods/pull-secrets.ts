// Registry credentials for a pull, from the pod's imagePullSecrets and its ServiceAccount's, as the kubelet's
// keyring finds them: each `kubernetes.io/dockerconfigjson` (`{"auths": {...}}`) or `kubernetes.io/dockercfg`
// (the map itself) entry whose key matches the image's registry - the key may carry a scheme and a path
// (`https://registry.example:5000/v2/`), a `*` may stand for one DNS label, docker.io's many names are one - most
// specific key first. Each is tried in turn; with none, the pull goes without credentials.
import type { KubeObject } from '../../lib/api/types.js';
import type { AuthConfig } from '../cri/types.js';

interface Entry {
  auth?: string;
  username?: string;
  password?: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** host[:port] and path of an image reference's repository (docker.io for names without a registry). */
export function imageLocation(image: string): { host: string; path: string } {
  const name = (image.split('@')[0] as string).replace(/:[^/:]*$/, (t) => (t.includes('/') ? t : ''));
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return { host: first.toLowerCase(), path: name.slice(i + 1) };
  return { host: 'docker.io', path: i < 0 ? `library/${name}` : name };
}

/** A keyring key as host[:port] and path prefix: scheme and the /v1/, /v2/ API suffixes dropped. */
export function parseKey(key: string): { host: string; path: string } {
  let k = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  let path = slash < 0 ? '' : k.slice(slash + 1);
  k = slash < 0 ? k : k.slice(0, slash);
  path = path.replace(/^v[12]\/?$/, '').replace(/\/+$/, '');
  return { host: k.toLowerCase(), path };
}

function hostMatches(pattern: string, host: string): boolean {
  const [pHost, pPort] = pattern.split(':') as [string, string | undefined];
  const [hHost, hPort] = host.split(':') as [string, string | undefined];
  if ((pPort ?? '') !== (hPort ?? '')) return false;
  if (DOCKER_HUB.has(pHost) && DOCKER_HUB.has(hHost)) return true;
  const pl = pHost.split('.');
  const hl = hHost.split('.');
  if (pl.length !== hl.length) return false;
  return pl.every((p, i) => p === hl[i] || (p.includes('*') && new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*')}$`).test(hl[i] as string)));
}

/** The auths of a pull secret; undefined when it is not a docker config secret or does not parse. */
export function dockerConfigEntries(secret: KubeObject): Record<string, Entry> | undefined {
  const data = (secret.data ?? {}) as Record<string, string>;
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) {
      return (JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8')) as { auths?: Record<string, Entry> }).auths ?? {};
    }
    if (secret.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) {
      return JSON.parse(Buffer.from(data['.dockercfg'], 'base64').toString('utf8')) as Record<string, Entry>;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function toAuth(e: Entry): AuthConfig | undefined {
  let { username, password } = e;
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      username = decoded.slice(0, i);
      password = decoded.slice(i + 1);
    }
  }
  // no serverAddress: containerd takes it as a URL and drops credentials whose host it cannot match
  return username ? { username, password: password ?? '' } : undefined;
}

/** The credentials to try for image, most specific key first, from these pull secrets in order. */
export function credentialsFor(image: string, secrets: KubeObject[]): AuthConfig[] {
  const img = imageLocation(image);
  const found: Array<{ auth: AuthConfig; score: number; order: number }> = [];
  for (const s of secrets) {
    for (const [key, entry] of Object.entries(dockerConfigEntries(s) ?? {})) {
      const k = parseKey(key);
      if (!hostMatches(k.host, img.host)) continue;
      if (k.path && img.path !== k.path && !img.path.startsWith(`${k.path}/`)) continue;
      const auth = toAuth(entry);
      if (auth) found.push({ auth, score: k.host.length + k.path.length, order: found.length });
    }
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((f) => f.auth)
    .filter((a) => {
      const id = `${a.username}\0${a.password}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}
