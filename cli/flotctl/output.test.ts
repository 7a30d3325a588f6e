import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toYaml } from './output.js';

test('-o yaml quotes strings as go-yaml does: double for look-alikes of other types, single for the rest', () => {
  const out = toYaml({ a: '*/1 * * * *', b: '2026-12-07T00:20:41Z', c: 'yes', d: '123', e: "it's * x", f: 'plain', g: 'multi\nline\n', h: ':x', i: '', j: ' lead', k: 'true', l: '0x1F', m: '1e3', o: '~' });
  // what kubectl 1.32 prints for a ConfigMap with this data
  assert.equal(out, `a: '*/1 * * * *'\nb: "2026-12-07T00:20:41Z"\nc: "yes"\nd: "123"\ne: it's * x\nf: plain\ng: |\n  multi\n  line\nh: :x\ni: ""\nj: ' lead'\nk: "true"\nl: "0x1F"\nm: "1e3"\no: "~"\n`);
});
