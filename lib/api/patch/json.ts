// RFC 6902 JSON patch: add, remove, replace, move, copy, test over JSON pointers.
import { PatchError, isObject } from './errors.js';

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(p: unknown, what = 'path'): string[] {
  if (typeof p !== 'string') throw new PatchError(`the JSON patch operation is missing "${what}"`, 400);
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${p}`, 400);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parent(doc: unknown, tokens: string[], path: string): { container: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[index(cur, t, path, false)];
    else if (isObject(cur) && t in cur) cur = cur[t];
    else throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  return { container: cur, key: tokens[tokens.length - 1] as string };
}

function index(arr: unknown[], t: string, path: string, forAdd: boolean): number {
  if (forAdd && t === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(t)) throw new PatchError(`invalid array index "${t}" in "${path}"`);
  const i = Number(t);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new PatchError(`array index ${i} out of bounds in "${path}"`);
  return i;
}

function get(doc: unknown, tokens: string[], path: string): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[index(cur, t, path, false)];
    else if (isObject(cur) && t in cur) cur = cur[t];
    else throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function add(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (!tokens.length) return value;
  const { container, key } = parent(doc, tokens, path);
  if (Array.isArray(container)) container.splice(index(container, key, path, true), 0, value);
  else if (isObject(container)) container[key] = value;
  else throw new PatchError(`doc is missing path: "${path}"`);
  return doc;
}

function remove(doc: unknown, tokens: string[], path: string): unknown {
  if (!tokens.length) throw new PatchError('cannot remove the whole document');
  const { container, key } = parent(doc, tokens, path);
  if (Array.isArray(container)) container.splice(index(container, key, path, false), 1);
  else if (isObject(container) && key in container) delete container[key];
  else throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`);
  return doc;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations', 400);
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    if (!isObject(raw)) throw new PatchError('each JSON patch operation must be an object', 400);
    const path = raw.path;
    const tokens = parsePointer(path);
    switch (raw.op) {
      case 'add':
        if (!('value' in raw)) throw new PatchError(`missing value for add at "${path}"`, 400);
        doc = add(doc, tokens, structuredClone(raw.value), path);
        break;
      case 'remove':
        doc = remove(doc, tokens, path);
        break;
      case 'replace':
        if (!('value' in raw)) throw new PatchError(`missing value for replace at "${path}"`, 400);
        get(doc, tokens, path);
        doc = tokens.length ? add(remove(doc, tokens, path), tokens, structuredClone(raw.value), path) : structuredClone(raw.value);
        break;
      case 'move': {
        const from = parsePointer(raw.from, 'from');
        const v = get(doc, from, raw.from as string);
        doc = add(remove(doc, from, raw.from as string), tokens, v, path);
        break;
      }
      case 'copy': {
        const from = parsePointer(raw.from, 'from');
        doc = add(doc, tokens, structuredClone(get(doc, from, raw.from as string)), path);
        break;
      }
      case 'test':
        if (!equal(get(doc, tokens, path), raw.value)) throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(raw.op)}`, 400);
    }
  }
  return doc;
}
