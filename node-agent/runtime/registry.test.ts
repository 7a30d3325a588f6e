// The local registry with htpasswd users: anonymous requests get distribution's 401 challenge, the right basic
// credentials get in, wrong ones don't. Runs the real docker-registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from './registry.js';

const skip = existsSync('/usr/bin/docker-registry') ? false : 'needs docker-registry (scripts/setup.sh installs it)';

test('htpasswd: 401 with a Basic challenge without credentials, 200 with them', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-registry-'));
  const reg = await startRegistry({ dataDir: dir, htpasswd: [{ username: 'alice', password: 's3cret' }] });
  t.after(async () => {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const anon = await fetch(`${reg.url}/v2/`);
  assert.equal(anon.status, 401);
  assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic realm="flotilla"/);
  const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  assert.equal((await fetch(`${reg.url}/v2/`, { headers: basic('alice', 's3cret') })).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/`, { headers: basic('alice', 'wrong') })).status, 401);
});
