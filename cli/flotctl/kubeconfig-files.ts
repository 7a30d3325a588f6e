// Kubeconfig files as `kubectl config` sees them: which files (--kubeconfig, else KUBECONFIG's list, else
// ~/.kube/config), each file read into kubectl's v1 shape (known fields only, in v1's field order, entries sorted by
// name), the merge (the first file to name an entry or set current-context wins), and writing one file back the way
// kubectl rewrites it. Works with missing and empty files: `config` commands never need a server or a context.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError } from './context.js';
import { toYaml } from './output.js';

export type Obj = { [k: string]: Json };
export type Json = string | number | boolean | null | Json[] | Obj;

/** One file, or the merge of several: entries by name with the file each came from. */
export interface KubeConfig {
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  current: string;
  preferences: Obj;
  extensions: Json[] | undefined;
}
export interface Entry {
  value: Obj;
  origin: string;
}
export type Section = 'clusters' | 'users' | 'contexts';

/** Where kubectl reads and writes: the explicit --kubeconfig file, or the precedence list. */
export interface Paths {
  explicit?: string;
  files: string[];
  fromEnv: boolean;
}

export function configPaths(kubeconfigFlag: string | undefined): Paths {
  if (kubeconfigFlag) return { explicit: kubeconfigFlag, files: [kubeconfigFlag], fromEnv: false };
  const env = (process.env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (env.length) return { files: [...new Set(env)], fromEnv: true };
  return { files: [join(homedir(), '.kube', 'config')], fromEnv: false };
}

/** The file kubectl writes new entries to: the explicit one, else the first existing of the list, else its last. */
export function defaultFile(p: Paths): string {
  if (p.explicit) return p.explicit;
  if (p.fromEnv && p.files.length > 1) return p.files.find((f) => existsSync(f)) ?? (p.files.at(-1) as string);
  return p.files[0] as string;
}

// Field lists in v1's order: [key, type, omitempty]. 's' string, 'b' bool, 'bytes' base64 data, 'list' string
// list, 'map' string map, 'lmap' map of string lists, 'ext' named extensions, or a nested field list.
type Field = [string, 's' | 'b' | 'bytes' | 'list' | 'map' | 'lmap' | 'ext' | 'env' | Field[], boolean];
const EXT: Field = ['extensions', 'ext', true];
const CLUSTER: Field[] = [['server', 's', false], ['tls-server-name', 's', true], ['insecure-skip-tls-verify', 'b', true], ['certificate-authority', 's', true], ['certificate-authority-data', 'bytes', true], ['proxy-url', 's', true], ['disable-compression', 'b', true], EXT];
const AUTH_PROVIDER: Field[] = [['name', 's', false], ['config', 'map', false]];
const EXEC: Field[] = [['command', 's', false], ['args', 'list', false], ['env', 'env', false], ['apiVersion', 's', true], ['installHint', 's', true], ['provideClusterInfo', 'b', false], ['interactiveMode', 's', true]];
const USER: Field[] = [
  ['client-certificate', 's', true], ['client-certificate-data', 'bytes', true], ['client-key', 's', true], ['client-key-data', 'bytes', true],
  ['token', 's', true], ['tokenFile', 's', true], ['as', 's', true], ['as-uid', 's', true], ['as-groups', 'list', true], ['as-user-extra', 'lmap', true],
  ['username', 's', true], ['password', 's', true], ['auth-provider', AUTH_PROVIDER, true], ['exec', EXEC, true], EXT,
];
const CONTEXT: Field[] = [['cluster', 's', false], ['user', 's', false], ['namespace', 's', true], EXT];
const PREFERENCES: Field[] = [['colors', 'b', true], EXT];
const SECTIONS: Record<Section, [string, Field[]]> = { clusters: ['cluster', CLUSTER], users: ['user', USER], contexts: ['context', CONTEXT] };

const asStr = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? '' : String(v));
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A raw YAML value decoded as Go decodes it into the v1 struct, then encoded back: known fields, v1 order. */
function shape(raw: unknown, fields: Field[]): Obj {
  const src = isObj(raw) ? raw : {};
  const out: Obj = {};
  for (const [key, type, omit] of fields) {
    const v = src[key];
    let val: Json | undefined;
    if (Array.isArray(type)) val = isObj(v) ? shape(v, type) : undefined;
    else if (type === 's') val = asStr(v);
    else if (type === 'b') val = v === true || v === 'true';
    else if (type === 'bytes') val = typeof v === 'string' ? Buffer.from(v, 'base64').toString('base64') : '';
    else if (type === 'list' || type === 'ext') val = Array.isArray(v) ? v.map((x) => (type === 'list' ? asStr(x) : (x as Json))) : null;
    else if (type === 'env') val = Array.isArray(v) ? v.map((e) => ({ name: asStr(isObj(e) ? e.name : ''), value: asStr(isObj(e) ? e.value : '') })) : null;
    else if (type === 'map') val = isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asStr(x)])) : null;
    else val = isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? x.map(asStr) : []])) : null;
    const empty = val === undefined || val === '' || val === false || val === null || (Array.isArray(val) && !val.length) || (isObj(val) && !Object.keys(val).length && !Array.isArray(type));
    if (omit && empty) continue;
    out[key] = val ?? null;
  }
  // client-go's default: older exec plugin API versions mean "use stdin if available".
  if (fields === EXEC && !out.interactiveMode && /^client\.authentication\.k8s\.io\/v1(alpha|beta)1$/.test(String(out.apiVersion ?? ''))) out.interactiveMode = 'IfAvailable';
  return out;
}

function fileError(f: string, e: unknown): CliError {
  return new CliError(`error: error loading config file "${f}": ${(e as Error).message}`);
}

const emptyConfig = (): KubeConfig => ({ clusters: new Map(), users: new Map(), contexts: new Map(), current: '', preferences: shape({}, PREFERENCES), extensions: undefined });

/** One file as kubectl reads it on its own; a missing or empty file is an empty config. */
export function readConfigFile(f: string): KubeConfig {
  const c = emptyConfig();
  if (!existsSync(f)) return c;
  let raw: unknown;
  try {
    raw = parse(readFileSync(f, 'utf8'));
  } catch (e) {
    throw fileError(f, new Error(String((e as Error).message).split('\n')[0]));
  }
  if (raw === null || raw === undefined) return c;
  if (!isObj(raw)) throw fileError(f, new Error('couldn\'t get version/kind; json parse error'));
  for (const section of ['clusters', 'users', 'contexts'] as const) {
    const [inner, fields] = SECTIONS[section];
    const v = raw[section];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      const goType = typeof v === 'boolean' ? 'bool' : typeof v;
      throw fileError(f, new Error(`json: cannot unmarshal ${goType} into Go struct field Config.${section} of type []v1.Named${section === 'users' ? 'AuthInfo' : inner[0]?.toUpperCase() + inner.slice(1)}`));
    }
    for (const item of Array.isArray(raw[section]) ? raw[section] : []) {
      if (!isObj(item)) continue;
      const name = asStr(item.name);
      // A name given twice in one file: the later entry replaces the earlier, as Go's map assignment does.
      c[section].set(name, { value: shape(item[inner], fields), origin: f });
    }
  }
  c.current = asStr(raw['current-context']);
  c.preferences = shape(raw.preferences, PREFERENCES);
  c.extensions = Array.isArray(raw.extensions) && raw.extensions.length ? (raw.extensions as Json[]) : undefined;
  return c;
}

/** Every file of the precedence list merged: entries and current-context from the first file that has them. */
export function loadMerged(p: Paths): KubeConfig {
  const m = emptyConfig();
  for (const f of p.files) {
    const c = readConfigFile(f);
    for (const s of ['clusters', 'users', 'contexts'] as const) for (const [k, v] of c[s]) if (!m[s].has(k)) m[s].set(k, v);
    m.current ||= c.current;
    if (c.preferences.colors) m.preferences = { colors: true, ...m.preferences };
    m.extensions ??= c.extensions;
  }
  return m;
}

const sortedEntries = (m: Map<string, Entry>, inner: string): Json =>
  m.size ? [...m.keys()].sort().map((k) => (inner === 'user' ? { name: k, user: (m.get(k) as Entry).value } : { name: k, [inner]: (m.get(k) as Entry).value })) : null;

/** The v1 document kubectl prints or writes (json key order is v1's field order; yaml sorts keys anyway). */
export function toV1(c: KubeConfig): Obj {
  const doc: Obj = {
    kind: 'Config',
    apiVersion: 'v1',
    preferences: c.preferences,
    clusters: sortedEntries(c.clusters, 'cluster'),
    users: sortedEntries(c.users, 'user'),
    contexts: sortedEntries(c.contexts, 'context'),
    'current-context': c.current,
  };
  if (c.extensions) doc.extensions = c.extensions;
  return doc;
}

/** Rewrites a file as kubectl does: the whole file in v1 form (a new file gets mode 0600 and its folders). */
export function writeConfigFile(f: string, c: KubeConfig): void {
  mkdirSync(dirname(resolve(f)), { recursive: true });
  writeFileSync(f, toYaml(toV1(c)), { mode: 0o600 });
}

/** `view`'s default: certificate and key data shown as DATA+OMITTED, tokens and passwords as REDACTED. */
export function shorten(c: KubeConfig): void {
  const edit = (m: Map<string, Entry>, fn: (v: Obj) => void) => {
    for (const [k, e] of m) {
      const v = { ...e.value };
      fn(v);
      m.set(k, { ...e, value: v });
    }
  };
  edit(c.users, (u) => {
    for (const k of ['client-certificate-data', 'client-key-data']) if (u[k]) u[k] = 'DATA+OMITTED';
    for (const k of ['token', 'password']) if (u[k]) u[k] = 'REDACTED';
  });
  edit(c.clusters, (cl) => {
    if (cl['certificate-authority-data']) cl['certificate-authority-data'] = 'DATA+OMITTED';
  });
}

/** `view --flatten`: file references replaced by their content, read relative to the file that named them. */
export function flatten(c: KubeConfig): void {
  const inline = (m: Map<string, Entry>, pairs: [string, string][], order: Field[]) => {
    for (const [k, e] of m) {
      const v: Obj = { ...e.value };
      for (const [pathKey, dataKey] of pairs) {
        const path = v[pathKey];
        if (typeof path !== 'string' || !path) continue;
        if (v[dataKey]) throw new CliError('error: cannot have values for both path and contents');
        const abs = isAbsolute(path) ? path : join(resolve(dirname(e.origin)), path);
        try {
          v[dataKey] = readFileSync(abs).toString('base64');
        } catch {
          throw new CliError(`error: open ${abs}: no such file or directory`);
        }
        delete v[pathKey];
      }
      m.set(k, { ...e, value: shape(v, order) });
    }
  };
  inline(c.users, [['client-certificate', 'client-certificate-data'], ['client-key', 'client-key-data']], USER);
  inline(c.clusters, [['certificate-authority', 'certificate-authority-data']], CLUSTER);
}

/** `view --minify`: only the current context, its cluster and its user. */
export function minify(c: KubeConfig): void {
  if (!c.current) throw new CliError('error: current-context must exist in order to minify');
  const ctx = c.contexts.get(c.current);
  if (!ctx) throw new CliError(`error: cannot locate context ${c.current}`);
  const keep = (m: Map<string, Entry>, name: string, what: string) => {
    const e = m.get(name);
    m.clear();
    if (!name) return;
    if (!e) throw new CliError(`error: cannot locate ${what} ${name}`);
    m.set(name, e);
  };
  keep(c.clusters, String(ctx.value.cluster ?? ''), 'cluster');
  keep(c.users, String(ctx.value.user ?? ''), 'user');
  c.contexts = new Map([[c.current, ctx]]);
}

/** A context entry as the v1 field list orders it (for set-context). */
export const shapeContext = (v: Record<string, unknown>): Obj => shape(v, CONTEXT);
