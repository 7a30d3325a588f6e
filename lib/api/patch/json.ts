// RFC 6902 JSON patch (add, remove, replace, move, copy, test) with the behaviour of the library Kubernetes applies
// patches with: negative array indices count from the end, `replace` of a missing object member adds it, a `null`
// patch does nothing, and failures read like that library's messages. Kubernetes answers 400 when the body is not a
// list of operation objects, 413 past 10000 operations and 422 when an operation fails.
import { MAX_NESTING_DEPTH, valueDepth } from '../depth.js';
import { getOwn, hasOwn, setOwn } from '../own.js';
import { type JsonMap, PatchError, deepClone, deepEqual, isObject, jsonTypeName } from './errors.js';

export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** How much `copy` operations may grow a document, in JSON bytes (Kubernetes' JSONPatchMaxCopyBytes default). */
export const MAX_COPY_BYTES = 3 * 1024 * 1024;

/**
 * What one patch may still spend. Copies can double a document per operation, in size and in depth: without a
 * budget thirty copies exhaust memory, and a few nest deeper than anything downstream can carry.
 */
interface Budget {
  /** An upper bound of the document's depth so far. */
  depth: number;
  /** JSON bytes added by copies so far. */
  copied: number;
}

const segments = (path: string): number => (path === '' ? 0 : path.split('/').length - 1);

/** Records that a value `valueDepthBound` deep lands at `path`; refuses when the document would nest too deeply. */
function landAt(b: Budget, what: string, path: string, valueDepthBound: number): void {
  const depth = segments(path) + valueDepthBound;
  if (depth > MAX_NESTING_DEPTH) throw new PatchError(`${what} operation does not apply: the value at ${path} would nest ${depth} levels deep, exceeding the limit of ${MAX_NESTING_DEPTH}`);
  if (depth > b.depth) b.depth = depth;
}

/** The depth bound of the subtree at `from`, which sits inside a document at most b.depth deep. */
const subtreeBound = (b: Budget, from: string): number => Math.max(0, b.depth - segments(from));

const MISSING = 'missing value';
const BAD_INDEX = 'invalid index referenced';

/** An error inside one container operation; its message is wrapped by the operation that hit it. */
class OpFailure extends Error {}

type Container = JsonMap | unknown[];

const decode = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The container holding the last token of `path`, and that token; undefined when the path does not lead anywhere. */
function findObject(doc: unknown, path: string): { con: Container; key: string } | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.split('/').slice(1);
  const key = parts.pop() as string;
  let cur: unknown = doc;
  for (const part of parts) {
    let next: unknown;
    try {
      next = Array.isArray(cur) ? arrayGet(cur, decode(part)) : isObject(cur) ? getOwn(cur, decode(part)) : undefined;
    } catch {
      return undefined;
    }
    if (!Array.isArray(next) && !isObject(next)) return undefined;
    cur = next;
  }
  return Array.isArray(cur) || isObject(cur) ? { con: cur, key: decode(key) } : undefined;
}

function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new OpFailure(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  return Number(key);
}

function invalidIndex(idx: number): OpFailure {
  return new OpFailure(`Unable to access invalid index: ${idx}: ${BAD_INDEX}`);
}

/** Resolves an existing-element index (negative counts from the end). */
function existingIndex(arr: unknown[], key: string): number {
  const idx = atoi(key);
  if (idx >= arr.length || idx < -arr.length) throw invalidIndex(idx);
  return idx < 0 ? idx + arr.length : idx;
}

function arrayGet(arr: unknown[], key: string): unknown {
  return arr[existingIndex(arr, key)];
}

function get(con: Container, key: string): unknown {
  return Array.isArray(con) ? arrayGet(con, key) : getOwn(con, key);
}

function add(con: Container, key: string, value: unknown): void {
  if (!Array.isArray(con)) {
    setOwn(con, key, value);
    return;
  }
  if (key === '-') {
    con.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new OpFailure(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = con.length + 1;
  if (idx >= size || idx < -size) throw invalidIndex(idx);
  con.splice(idx < 0 ? idx + size : idx, 0, value);
}

function remove(con: Container, key: string): void {
  if (Array.isArray(con)) {
    con.splice(existingIndex(con, key), 1);
    return;
  }
  if (!hasOwn(con, key)) throw new OpFailure(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
  delete con[key];
}

function set(con: Container, key: string, value: unknown): void {
  if (Array.isArray(con)) con[existingIndex(con, key)] = value;
  else setOwn(con, key, value);
}

/** Runs a container operation, wrapping its failure the way the patch library words it. */
function wrap(prefix: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpFailure) throw new PatchError(`${prefix}: ${e.message}`);
    throw e;
  }
}

function pointer(op: JsonMap, field: 'path' | 'from', what: string): string {
  const v = getOwn(op, field);
  if (typeof v !== 'string') {
    throw new PatchError(field === 'path' ? `${what} operation failed to decode path: ${MISSING}` : `${what} operation failed to decode from: operation, missing from field: ${MISSING}`);
  }
  return v;
}

const valueOf = (op: JsonMap): unknown => (hasOwn(op, 'value') && op.value !== undefined ? deepClone(op.value) : null);

function applyOne(doc: unknown, op: JsonMap, budget: Budget): unknown {
  const kind = typeof getOwn(op, 'op') === 'string' ? (op.op as string) : 'unknown';
  switch (kind) {
    case 'add': {
      const path = pointer(op, 'path', 'add');
      const at = findObject(doc, path);
      if (!at) throw new PatchError(`add operation does not apply: doc is missing path: ${JSON.stringify(path)}: ${MISSING}`);
      const value = valueOf(op);
      landAt(budget, 'add', path, valueDepth(value));
      wrap(`error in add for path: '${path}'`, () => add(at.con, at.key, value));
      return doc;
    }
    case 'remove': {
      const path = pointer(op, 'path', 'remove');
      const at = findObject(doc, path);
      if (!at) throw new PatchError(`remove operation does not apply: doc is missing path: ${JSON.stringify(path)}: ${MISSING}`);
      wrap(`error in remove for path: '${path}'`, () => remove(at.con, at.key));
      return doc;
    }
    case 'replace': {
      const path = pointer(op, 'path', 'replace');
      if (path === '') {
        const v = valueOf(op);
        if (!isObject(v) && !Array.isArray(v)) return doc; // the library ignores a scalar whole-document replacement
        budget.depth = 0;
        landAt(budget, 'replace', path, valueDepth(v));
        return v;
      }
      const at = findObject(doc, path);
      if (!at) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      try {
        get(at.con, at.key);
      } catch {
        throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
      }
      const value = valueOf(op);
      landAt(budget, 'replace', path, valueDepth(value));
      wrap(`error in remove for path: '${path}'`, () => set(at.con, at.key, value));
      return doc;
    }
    case 'move': {
      const from = pointer(op, 'from', 'move');
      const src = findObject(doc, from);
      if (!src) throw new PatchError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let value: unknown;
      wrap(`error in move for path: '${src.key}'`, () => {
        value = get(src.con, src.key);
        remove(src.con, src.key);
      });
      const path = pointer(op, 'path', 'move');
      const dst = findObject(doc, path);
      if (!dst) throw new PatchError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      landAt(budget, 'move', path, subtreeBound(budget, from));
      wrap(`error in move for path: '${path}'`, () => add(dst.con, dst.key, value));
      return doc;
    }
    case 'copy': {
      const from = pointer(op, 'from', 'copy');
      const src = findObject(doc, from);
      if (!src) throw new PatchError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let value: unknown;
      wrap(`error in copy for from: '${from}'`, () => {
        value = get(src.con, src.key);
      });
      if (value === undefined) throw new PatchError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      const path = pointer(op, 'path', 'copy');
      const dst = findObject(doc, path);
      if (!dst) throw new PatchError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      landAt(budget, 'copy', path, subtreeBound(budget, from));
      budget.copied += Buffer.byteLength(JSON.stringify(value) ?? '');
      if (budget.copied > MAX_COPY_BYTES) {
        throw new PatchError(`Unable to complete the copy, the accumulated size increase of copy is ${budget.copied}, exceeding the limit ${MAX_COPY_BYTES}`);
      }
      wrap('error while adding value during copy', () => add(dst.con, dst.key, deepClone(value)));
      return doc;
    }
    case 'test': {
      const path = pointer(op, 'path', 'test');
      let actual: unknown = doc;
      if (path !== '') {
        const at = findObject(doc, path);
        if (!at) throw new PatchError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
        wrap(`error in test for path: '${path}'`, () => {
          actual = get(at.con, at.key);
        });
      }
      const hasValue = hasOwn(op, 'value') && op.value !== undefined;
      // A missing member and a null member are the same to the library, and both equal an explicit null value.
      const same = actual === undefined || actual === null ? hasValue && op.value === null : hasValue && deepEqual(actual, op.value);
      if (!same) throw new PatchError(`testing value ${path} failed: test failed`);
      return doc;
    }
    default:
      throw new PatchError(`Unexpected kind: ${kind}`);
  }
}

/** Applies RFC 6902 operations to a copy of `target`. Throws PatchError (see its codes). */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (ops === null) return deepClone(target);
  if (!Array.isArray(ops)) throw new PatchError(`json: cannot unmarshal ${jsonTypeName(ops)} into Go value of type jsonpatch.Patch`, 400);
  for (const op of ops) {
    if (op !== null && !isObject(op)) throw new PatchError(`json: cannot unmarshal ${jsonTypeName(op)} into Go value of type jsonpatch.Operation`, 400);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(`Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`, 413);
  }
  let doc = deepClone(target);
  const budget: Budget = { depth: valueDepth(doc, Number.MAX_SAFE_INTEGER), copied: 0 };
  for (const op of ops as Array<JsonMap | null>) doc = applyOne(doc, op ?? {}, budget);
  return doc;
}
