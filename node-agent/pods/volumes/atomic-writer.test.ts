// The kubelet's ..data layout: every key a symlink through ..data into one timestamped directory; an update swaps
// ..data at once, adds and removes keys, deletes the old version; an unchanged payload writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalidPayloadPath, writePayload, type Payload } from './atomic-writer.js';

const files = (o: Record<string, [string, number]>): Payload => new Map(Object.entries(o).map(([k, [v, mode]]) => [k, { data: Buffer.from(v), mode }]));

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'flotilla-aw-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return join(d, 'vol');
}

test('first write: a timestamped version, ..data pointing at it, one symlink per key through ..data, with the modes asked', (t) => {
  const d = dir(t);
  assert.equal(writePayload(d, files({ 'app.conf': ['a=1\n', 0o644], 'nested/key': ['x', 0o400] })), true);
  const names = readdirSync(d).sort();
  assert.deepEqual(names.filter((n) => !n.startsWith('..2')), ['..data', 'app.conf', 'nested']);
  const version = readlinkSync(join(d, '..data'));
  assert.match(version, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
  assert.equal(readlinkSync(join(d, 'app.conf')), '..data/app.conf');
  assert.equal(readlinkSync(join(d, 'nested')), '..data/nested');
  assert.equal(readFileSync(join(d, 'app.conf'), 'utf8'), 'a=1\n');
  assert.equal(statSync(join(d, 'nested/key')).mode & 0o777, 0o400);
  assert.equal(statSync(join(d, 'app.conf')).mode & 0o777, 0o644);
});

test('an update swaps every file at once, removes keys that went, and deletes the old version; the same payload again writes nothing', (t) => {
  const d = dir(t);
  writePayload(d, files({ a: ['1', 0o644], b: ['2', 0o644] }));
  const first = readlinkSync(join(d, '..data'));
  const oldFile = realpathSync(join(d, 'a'));
  assert.equal(writePayload(d, files({ a: ['one', 0o644], c: ['3', 0o600] })), true);
  const second = readlinkSync(join(d, '..data'));
  assert.notEqual(second, first);
  assert.equal(readFileSync(join(d, 'a'), 'utf8'), 'one');
  assert.equal(readFileSync(join(d, 'c'), 'utf8'), '3');
  assert.throws(() => lstatSync(join(d, 'b')), /ENOENT/, 'the key that went is gone');
  assert.throws(() => statSync(oldFile), /ENOENT/, 'the old version is deleted');
  assert.equal(readdirSync(d).filter((n) => /^\.\.\d/.test(n)).length, 1, 'one version directory');
  assert.equal(writePayload(d, files({ a: ['one', 0o644], c: ['3', 0o600] })), false, 'unchanged');
  assert.equal(readlinkSync(join(d, '..data')), second);
  assert.equal(writePayload(d, files({ a: ['one', 0o644], c: ['3', 0o644] })), true, 'a mode change is a change');
});

test('paths that would leave the volume are refused before anything is written', (t) => {
  const d = dir(t);
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..data', '']) {
    assert.ok(invalidPayloadPath(bad), bad);
    assert.throws(() => writePayload(d, files({ [bad]: ['x', 0o644] })));
  }
  assert.equal(invalidPayloadPath('a/b..c'), undefined);
});
