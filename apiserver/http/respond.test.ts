import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { writeWarnings } from './respond.js';

/** Writes warnings through a stand-in response and reads the headers back as a client (UTF-8) would. */
function warningsFor(texts: string[]): string[] {
  let value: string[] = [];
  const res = { headersSent: false, setHeader: (_n: string, v: string[]) => { value = v; } } as unknown as ServerResponse;
  writeWarnings(res, texts);
  return value.map((h) => Buffer.from(h, 'latin1').toString('utf8'));
}

test('warnings are written once each, quoted as Go quotes them; text with control characters is dropped', () => {
  assert.deepEqual(warningsFor(['unknown field "a"', 'unknown field "a"', 'b\\c', '', 'bad\nline', 'nul\u0000', 'del\u007f', 'half \ud800']), [
    '299 - "unknown field \\"a\\""',
    '299 - "b\\\\c"',
  ]);
  // any script goes out as UTF-8 (Node refuses such header text as a string: the write would have become a 500)
  assert.deepEqual(warningsFor(['unknown field "ünï 名前 𝒳"']), ['299 - "unknown field \\"ünï 名前 𝒳\\""']);
});

test('at most 4096 characters of warnings: past that each is cut to 256 characters and later ones are dropped', () => {
  const short = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(100, 'x'));
  assert.equal(warningsFor(short).length, 10);
  const many = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(100, 'x'));
  assert.equal(warningsFor(many).length, 41, 'the 41st goes past 4096; then there is no room left');
  const long = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(300, 'y'));
  const out = warningsFor(long);
  assert.equal(out.length, 16);
  assert.ok(out.every((h) => h.length === '299 - ""'.length + 256));
  assert.equal(warningsFor(Array.from({ length: 20_000 }, (_, i) => `unknown field "k${i}"`)).length < 300, true);
});
