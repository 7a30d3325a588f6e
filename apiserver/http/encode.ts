// Objects in the watch cache never change (every write stores a new object), so each is serialized once and the
// string reused by every list page and every watcher that sends it.
import type { KubeObject } from '../../lib/api/types.js';

const cache = new WeakMap<object, string>();

export function objectJson(obj: KubeObject): string {
  let s = cache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    cache.set(obj, s);
  }
  return s;
}

export function listJson(apiVersion: string, kind: string, metadata: Record<string, unknown>, items: KubeObject[]): string {
  return `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":${JSON.stringify(metadata)},"items":[${items.map(objectJson).join(',')}]}`;
}

export function watchEventJson(type: string, obj: KubeObject): string {
  return `{"type":"${type}","object":${objectJson(obj)}}\n`;
}
