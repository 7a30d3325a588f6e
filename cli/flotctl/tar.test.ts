// flotctl cp's tar against the host's tar (GNU) and busybox's, both ways: what we pack they unpack byte for byte (long
// names, empty files, modes, a directory tree), and what they pack we read back, pax and GNU long names included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, packPath, type TarEntry } from './tar.js';

const dir = mkdtempSync(join(tmpdir(), 'flotctl-tar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const long = `${'d'.repeat(60)}/${'f'.repeat(120)}.txt`;

function tree(root: string): Record<string, Buffer> {
  mkdirSync(join(root, 'sub', 'd'.repeat(60)), { recursive: true });
  const files: Record<string, Buffer> = {
    'a.bin': randomBytes(70_000),
    'empty': Buffer.alloc(0),
    'sub/exact512': randomBytes(512),
    [`sub/${long}`]: Buffer.from('long name\n'),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  chmodSync(join(root, 'a.bin'), 0o750);
  return files;
}

async function collect(tarball: Buffer, chunk = 333): Promise<Array<TarEntry & { data: Buffer }>> {
  const out: Array<TarEntry & { data: Buffer }> = [];
  const w = extract(async (e: TarEntry, content: Readable) => {
    const parts: Buffer[] = [];
    for await (const c of content) parts.push(c as Buffer);
    out.push({ ...e, data: Buffer.concat(parts) });
  });
  w.on('error', () => undefined); // each write's callback carries it
  // in odd pieces, so headers and contents straddle writes
  for (let i = 0; i < tarball.length; i += chunk) await new Promise<void>((r, j) => w.write(tarball.subarray(i, i + chunk), (e) => (e ? j(e) : r())));
  await new Promise<void>((r, j) => w.end((e?: Error | null) => (e ? j(e) : r())));
  return out;
}

async function packed(src: string, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of packPath(src, name)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

for (const [tool, argv] of [['GNU tar', ['tar']], ['busybox tar', ['/bin/busybox', 'tar']]] as const) {
  test(`what we pack, ${tool} unpacks identically (long names, empty and block-sized files, modes)`, { skip: !existsSync(argv[0] === 'tar' ? '/usr/bin/tar' : argv[0]) && `${tool} not installed` }, async () => {
    const src = join(dir, `src-${argv.length}`);
    const files = tree(src);
    const out = join(dir, `out-${argv.length}`);
    mkdirSync(out);
    const r = spawnSync(argv[0], [...argv.slice(1), '-xmf', '-', '-C', out], { input: await packed(src, 'copy') });
    assert.equal(r.status, 0, String(r.stderr));
    for (const [name, data] of Object.entries(files)) assert.ok(readFileSync(join(out, 'copy', name)).equals(data), name);
    assert.equal(statSync(join(out, 'copy', 'a.bin')).mode & 0o777, 0o750);
  });
}

test('what GNU tar packs (GNU and pax long names), we read back whole, in pieces of any size', async () => {
  const src = join(dir, 'gnu-src');
  const files = tree(src);
  for (const format of ['gnu', 'pax']) {
    const r = spawnSync('tar', [`--format=${format}`, '-cf', '-', '-C', dir, 'gnu-src'], { maxBuffer: 1 << 24 });
    assert.equal(r.status, 0, String(r.stderr));
    for (const chunk of [1, 511, 4096]) {
      const entries = await collect(r.stdout, chunk);
      for (const [name, data] of Object.entries(files)) {
        const e = entries.find((x) => x.name === `gnu-src/${name}`);
        assert.ok(e && e.type === 'file' && e.data.equals(data), `${format}/${chunk}: ${name}`);
      }
      assert.ok(entries.some((x) => x.name === 'gnu-src/sub/' && x.type === 'directory'));
    }
  }
});

test('a corrupt or cut archive is an error, not a hang or a crash', async () => {
  const src = join(dir, 'small');
  writeFileSync(src, 'x'.repeat(1000));
  const good = await packed(src, 'small');
  const bad = Buffer.from(good);
  bad[10] = 0x41; // the header's checksum no longer holds
  await assert.rejects(collect(bad), /invalid tar header/);
  await assert.rejects(collect(good.subarray(0, 700)), /unexpected EOF/);
  assert.deepEqual((await collect(good)).map((e) => [e.name, e.size, String(e.data)]), [['small', 1000, 'x'.repeat(1000)]]);
});
