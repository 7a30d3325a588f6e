// Turns list/watch query parameters into a filter over objects (label selectors, and field selectors over the
// kind's selectable fields), and encodes list continue tokens.
import { getOwn, hasOwn } from '../../lib/api/own.js';
import type { KubeObject } from '../../lib/api/types.js';
import {
  SelectorError, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelectorParsed,
} from '../../lib/api/selectors/index.js';
import { errors } from '../errors.js';
import type { KindDefinition } from './kind.js';
import type { ObjectFilter } from './types.js';

export type { ObjectFilter } from './types.js';

type Selectable = Pick<KindDefinition, 'info' | 'selectableFields'>;

/** The field labels of one object: metadata.name (and namespace), then the kind's own. */
export function fieldsOf(def: Selectable, o: KubeObject): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': str(o.metadata?.name) };
  if (def.info.namespaced) f['metadata.namespace'] = str(o.metadata?.namespace);
  return def.selectableFields ? { ...f, ...def.selectableFields.values(o) } : f;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const SAMPLE: KubeObject = { metadata: {} };

/**
 * Rejects field labels the kind does not support, with the API server's message (a 400 Bad Request), and returns
 * the selector with legacy labels converted (`spec.host` -> `spec.nodeName` for pods).
 */
export function validateFieldSelector(def: Selectable, sel: FieldSelectorParsed): FieldSelectorParsed {
  const known = fieldsOf(def, SAMPLE);
  const aliases = def.selectableFields?.aliases;
  return sel.map((r) => {
    const field = (aliases && getOwn(aliases, r.field)) ?? r.field;
    if (!hasOwn(known, field)) {
      if (def.selectableFields) throw new SelectorError(`field label not supported: ${r.field}`);
      throw new SelectorError(`${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return field === r.field ? r : { ...r, field };
  });
}

export function buildFilter(def: Selectable, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  let fields: FieldSelectorParsed | undefined;
  try {
    if (labelSelector) labels = parseLabelSelector(labelSelector);
  } catch (e) {
    throw errors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
  try {
    if (fieldSelector) fields = validateFieldSelector(def, parseFieldSelector(fieldSelector));
  } catch (e) {
    throw errors.badRequest(`${(e as Error).message}`);
  }
  if (!labels && !fields) return { matches: () => true, isEverything: true };
  const byFields = fields;
  return {
    isEverything: false,
    matches: (obj) => (!labels || matchesLabels(labels, obj.metadata.labels ?? {})) && (!byFields || matchesFields(byFields, fieldsOf(def, obj))),
  };
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

/** The continue token carries the list's revision and the key after which the next page starts. */
export function encodeContinue(rev: number, lastKey: string, prefix: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv: rev, start: lastKey.slice(prefix.length) + '\u0000' };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

const invalidToken = (why: string) => errors.badRequest(`invalid continue token: continue key is not valid${why ? `: ${why}` : ''}`);

/**
 * Reads a continue token as Kubernetes does (strict base64url, meta.k8s.io/v1, a positive revision, a clean start
 * key under the list's prefix). Anything forged is a 400 that says what is wrong with the token, never what etcd
 * said about it; a revision newer than the cluster's is refused by the store (it knows the current revision).
 */
export function decodeContinue(raw: string, prefix: string): { rev: number; startKey: string } {
  const bad = /[^A-Za-z0-9_-]/.exec(raw);
  if (bad) throw invalidToken(`illegal base64 data at input byte ${bad.index}`);
  let t: ContinueToken;
  try {
    t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ContinueToken;
  } catch (e) {
    throw invalidToken((e as Error).message);
  }
  if (typeof t !== 'object' || t === null || t.v !== 'meta.k8s.io/v1') {
    throw invalidToken(`server does not recognize this encoded version ${String((t as { v?: unknown } | null)?.v ?? '')}`);
  }
  if (typeof t.rv !== 'number' || !Number.isSafeInteger(t.rv) || t.rv <= 0) throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof t.start !== 'string' || t.start === '') throw invalidToken('encoded start key empty (version meta.k8s.io/v1)');
  // Kubernetes' path.Clean check: the start key may not climb out of the list's prefix (`..`), or be spelled two
  // ways (`a//b`, `./a`); it is relative to the prefix the request's URL gives, so it cannot name another resource.
  if (t.start.startsWith('/') || t.start.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) {
    throw invalidToken(JSON.stringify(t.start));
  }
  return { rev: t.rv, startKey: prefix + t.start };
}
