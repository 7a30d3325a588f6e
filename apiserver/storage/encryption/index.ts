// Values at rest: the storage layer's transform of every value it writes and reads, per resource, as Kubernetes'
// prefix transformers. etcd.ts calls toStorage/fromStorage in its encode/decode; everything else sees plain JSON.
// One configuration per process (the API server's).
import { logger } from '../../../lib/util/log.js';
import { ROOT } from '../keys.js';
import type { ResourceEncryption } from './config.js';
import type { ValueProvider } from './providers.js';

const log = logger('storage');

/** The providers for one resource: the first writes, all read (by prefix). */
interface Chain {
  providers: ValueProvider[];
}

let config: ResourceEncryption[] = [];
/** Per resource prefix (`/registry/core/secrets/`): its chain, or null for resources stored as they are. */
const chains = new Map<string, Chain | null>();

/** Sets the configuration of this process (undefined: every value as it is). */
export function configureEncryption(c: ResourceEncryption[] | undefined): void {
  config = c ?? [];
  chains.clear();
  if (config.length) log.info('encryption at rest', { resources: config.map((e) => ({ resources: e.resources, providers: e.providers.map((p) => p.name) })) });
}

/** `/registry/<group|core>/<resource>/...` -> its prefix, group and resource. */
function resourceOf(key: string): { prefix: string; group: string; resource: string } | undefined {
  if (!key.startsWith(ROOT)) return undefined;
  const g = key.indexOf('/', ROOT.length);
  const r = g < 0 ? -1 : key.indexOf('/', g + 1);
  if (r < 0) return undefined;
  const group = key.slice(ROOT.length, g);
  return { prefix: key.slice(0, r + 1), group: group === 'core' ? '' : group, resource: key.slice(g + 1, r) };
}

function chainFor(key: string): Chain | null {
  if (!config.length) return null;
  const res = resourceOf(key);
  if (!res) return null;
  let c = chains.get(res.prefix);
  if (c !== undefined) return c;
  c = null;
  // the first entry naming the resource wins: exact names, then `*.group`, then `*.*` (Kubernetes' order)
  const exact = res.group ? `${res.resource}.${res.group}` : res.resource;
  const wildcard = `*.${res.group}`;
  for (const wanted of [exact, wildcard, '*.*']) {
    const entry = config.find((e) => e.resources.includes(wanted));
    if (entry) {
      c = { providers: entry.providers };
      break;
    }
  }
  chains.set(res.prefix, c);
  return c;
}

/** The bytes to store for a value written under key. */
export function toStorage(key: string, value: string): string | Buffer {
  const c = chainFor(key);
  if (!c) return value;
  return (c.providers[0] as ValueProvider).toStorage(Buffer.from(value, 'utf8'), key);
}

/** A stored value back to plain bytes; stale when it was not written by the provider that writes now. */
export function fromStorage(key: string, stored: Buffer): { data: Buffer; stale: boolean } {
  const c = chainFor(key);
  if (!c) return { data: stored, stale: false };
  const errors: string[] = [];
  for (const [i, p] of c.providers.entries()) {
    if (p.prefix.length && !startsWith(stored, p.prefix)) continue;
    try {
      return { data: p.fromStorage(stored.subarray(p.prefix.length), key), stale: i !== 0 };
    } catch (e) {
      errors.push(`${p.name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`failed to decrypt the value of ${key}: ${errors.length ? errors.join('; ') : 'no matching prefix found'}`);
}

function startsWith(b: Buffer, prefix: Buffer): boolean {
  return b.length >= prefix.length && b.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
