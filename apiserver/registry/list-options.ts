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

export function decodeContinue(raw: string, prefix: string): { rev: number; startKey: string } {
  let t: ContinueToken;
  try {
    t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    throw errors.badRequest('continue key is not valid: invalid encoding');
  }
  if (t?.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.rv <= 0) {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (t.start.includes('..') || t.start.startsWith('/')) throw errors.badRequest('continue key is not valid: the start key may not be a relative path');
  return { rev: t.rv, startKey: prefix + t.start };
}
