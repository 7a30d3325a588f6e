// Secrets: stringData is a write-only convenience; its values are merged into data (base64) and never stored.
import type { KindInfo } from '../../../lib/api/kinds.js';
import { setOwn } from '../../../lib/api/own.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { simpleStrategy, type Strategy } from '../strategy.js';

function mergeStringData(obj: KubeObject): void {
  const sd = obj.stringData as Record<string, unknown> | undefined;
  if (!sd || typeof sd !== 'object') return;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') setOwn(data, k, Buffer.from(v, 'utf8').toString('base64'));
  obj.data = data;
  delete obj.stringData;
}

export function secretStrategy(kind: KindInfo): Strategy {
  return simpleStrategy(kind, {
    prepareForCreate: mergeStringData,
    prepareForUpdate: (obj) => mergeStringData(obj),
  });
}
