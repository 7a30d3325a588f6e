// Several -f files merged as the Compose Specification merges them: mappings key by key (later files win),
// most sequences appended, some kept unique by a key (ports, volumes by target, secrets and configs by source),
// and command, entrypoint and healthcheck.test replaced whole. List-or-map fields (environment, labels) are merged
// as maps so `- A=1` in one file and `A: 2` in another mean the same key.
import type { Json, JsonObject } from './parse.js';

const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `["A=1", "B"]` or `{A: 1}` as a map (`B` alone maps to null: taken from the environment later). */
export function listOrMap(v: Json | undefined, sep = '='): JsonObject {
  if (isObj(v)) return v;
  if (!Array.isArray(v)) return {};
  const out: JsonObject = {};
  for (const item of v) {
    const s = String(item);
    const i = s.indexOf(sep);
    if (i < 0) out[s] = null;
    else out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

const MAP_LIKE = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts', 'build.args']);
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test', 'dns', 'dns_search', 'tmpfs', 'env_file']);

function keyOf(field: string, item: Json): string {
  if (field === 'volumes') return typeof item === 'string' ? (item.split(':')[1] ?? item) : String((item as JsonObject).target);
  if (field === 'secrets' || field === 'configs') return typeof item === 'string' ? item : String((item as JsonObject).source);
  if (field === 'depends_on') return typeof item === 'string' ? item : JSON.stringify(item);
  return JSON.stringify(item);
}

const UNIQUE = new Set(['ports', 'expose', 'volumes', 'secrets', 'configs', 'cap_add', 'cap_drop', 'devices', 'profiles', 'networks']);

function mergeSeq(field: string, a: Json[], b: Json[]): Json[] {
  if (!UNIQUE.has(field)) return [...a, ...b];
  const byKey = new Map<string, Json>();
  for (const it of [...a, ...b]) byKey.set(keyOf(field, it), it); // a later file's entry replaces the earlier one
  return [...byKey.values()];
}

function mergeValue(path: string, a: Json | undefined, b: Json): Json {
  const field = path.split('.').at(-1) as string;
  if (REPLACED.has(path) || REPLACED.has(field)) return b;
  if (MAP_LIKE.has(field) || MAP_LIKE.has(path)) return { ...listOrMap(a), ...listOrMap(b) };
  if (field === 'depends_on' && (Array.isArray(a) || Array.isArray(b))) return mergeValue(path, dependsOnMap(a), dependsOnMap(b));
  if (Array.isArray(a) && Array.isArray(b)) return mergeSeq(field, a, b);
  if (isObj(a) && isObj(b)) return mergeMaps(path, a, b);
  return b;
}

export function dependsOnMap(v: Json | undefined): JsonObject {
  if (Array.isArray(v)) return Object.fromEntries(v.map((s) => [String(s), { condition: 'service_started' }]));
  return isObj(v) ? v : {};
}

/** The rule path of a key: top-level keys by name, each service as `service`, a service's fields by name. */
const childPath = (path: string, k: string) => (path === '' || path === 'service' ? k : path === 'services' ? 'service' : `${path}.${k}`);

function mergeMaps(path: string, a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in a ? mergeValue(childPath(path, k), a[k], v) : v;
  return out;
}

/** The files' data merged left to right. */
export function mergeFiles(docs: JsonObject[]): JsonObject {
  return docs.reduce<JsonObject>((acc, d) => mergeMaps('', acc, d), {});
}
