// Turns list/watch query parameters into a filter over objects, and encodes list continue tokens.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { fieldsOf, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, validateFieldSelector } from '../../lib/api/selectors/index.js';
import { errors } from '../errors.js';

export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
  /** No selector at all: lists can report remainingItemCount. */
  isEverything: boolean;
}

export function buildFilter(kind: KindInfo, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  let fields: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (labelSelector) labels = parseLabelSelector(labelSelector);
  } catch (e) {
    throw errors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
  try {
    if (fieldSelector) {
      fields = parseFieldSelector(fieldSelector);
      validateFieldSelector(kind, fields);
    }
  } catch (e) {
    throw errors.badRequest(`${(e as Error).message}`);
  }
  if (!labels && !fields) return { matches: () => true, isEverything: true };
  return {
    isEverything: false,
    matches: (obj) => (!labels || matchesLabels(labels, obj.metadata.labels ?? {})) && (!fields || matchesFields(fields, fieldsOf(kind, obj))),
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
