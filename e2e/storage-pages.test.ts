// Acceptance: the storage layer on a real etcd. A page too large for one gRPC message is asked again smaller, without
// tripping the etcd client's circuit breaker (which would turn every other request into a 503 for a moment). The
// receive limit is lowered to 1 MiB here so that a few MB of objects reproduce what a page of big objects does
// against the real 128 MiB limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd } from './harness.js';
import { writeConfigMaps } from './embedded.js';
import { EtcdStorage } from '../apiserver/storage/etcd.js';

let dir: string;
let etcd: Etcd;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-pages-'));
  etcd = await Etcd.start(dir);
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a page larger than a gRPC message is read in smaller pages, and the client keeps serving', async () => {
  const storage = new EtcdStorage([etcd.endpoint], 1024 * 1024);
  try {
    await writeConfigMaps(storage.client, 'big', 300, 10_000);
    const rev = await storage.currentRevision();
    const sizes: number[] = [];
    const names: string[] = [];
    for await (const page of storage.pages('/registry/core/configmaps/big/', rev)) {
      sizes.push(page.length);
      for (const s of page) names.push(s.obj.metadata.name as string);
    }
    assert.equal(names.length, 300);
    assert.equal(new Set(names).size, 300);
    assert.ok(sizes.every((n) => n < 300) && sizes.length > 1, `pages of ${sizes.join(', ')}`);
    // a list with no limit of its own is one page, never the whole prefix in one answer
    const first = await storage.list('/registry/core/configmaps/big/');
    assert.equal(first.more, true);
    // the breaker did not open over the refused answers: the next calls go through at once
    assert.ok((await storage.get('/registry/core/configmaps/big/cm-000000'))?.obj);
    assert.ok((await storage.currentRevision()) >= rev);
  } finally {
    storage.close();
  }
});
