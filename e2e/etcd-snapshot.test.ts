// Acceptance (flotilla etcd-snapshot, real etcd, real API servers, the real CLI): a snapshot saved from a running
// cluster's etcd, then a namespace and its objects deleted, then the snapshot restored into a new data dir (a minimal
// one: the etcd.json a cluster's data dir holds) and an API server with its embedded etcd started on it: the namespace
// and its objects are back. Restore refuses while that data dir's etcd runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServerProcess, ROOT, TestCluster, freePort, freePorts, request, waitFor } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

const flotilla = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

test('save, delete a namespace, restore into a new data dir, start on it: the namespace and its objects are back', async () => {
  const c = await TestCluster.start();
  cleanups.push(() => c.stop());
  const snapDir = join(c.dir, 'snapshots');
  assert.equal((await c.request('POST', '/api/v1/namespaces', { metadata: { name: 'keep' } })).status, 201);
  for (let i = 0; i < 3; i++) {
    assert.equal((await c.request('POST', '/api/v1/namespaces/keep/configmaps', { metadata: { name: `cm-${i}` }, data: { n: String(i) } })).status, 201);
  }
  const saved = flotilla('etcd-snapshot', 'save', '--etcd-servers', c.etcd.endpoint, '--dir', snapDir, '--name', 'e2e');
  assert.equal(saved.status, 0, saved.stderr);
  assert.match(saved.stdout, /^Snapshot e2e-\d+ saved: .*\.db \(\d+ bytes\)$/m);
  const file = join(snapDir, readdirSync(snapDir).find((f) => f.endsWith('.db')) as string);
  const ls = flotilla('etcd-snapshot', 'ls', '--dir', snapDir);
  assert.equal(ls.status, 0, ls.stderr);
  assert.match(ls.stdout, new RegExp(`^e2e-\\d+\\s+file://${file}\\s+\\d+\\s+\\d{4}-`, 'm'));
  const status = spawnSync('etcdctl', ['snapshot', 'status', file, '-w', 'json'], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  assert.equal(status.status, 0, `etcdctl reads it: ${status.stderr}`);

  // the namespace goes, objects and all (the namespace controller empties it)
  c.component('controller-manager', ['--leader-elect=false']);
  assert.ok([200, 202].includes((await c.request('DELETE', '/api/v1/namespaces/keep')).status));
  await waitFor('the namespace gone', async () => (await c.request('GET', '/api/v1/namespaces/keep')).status === 404, 60_000);
  assert.equal((await c.request('GET', '/api/v1/namespaces/keep/configmaps/cm-0')).status, 404);

  // a data dir as a cluster's: etcd.json with its ports and the cluster identity the snapshot holds
  const identity = spawnSync('etcdctl', ['--endpoints', c.etcd.endpoint, 'get', '/flotilla/cluster-identity', '--print-value-only'],
    { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } }).stdout.trim();
  assert.ok(identity, 'the API server stored a cluster identity');
  const d2 = mkdtempSync(join(tmpdir(), 'flotilla-restore-'));
  cleanups.push(() => rmSync(d2, { recursive: true, force: true }));
  const [clientPort, peerPort] = await freePorts(2) as [number, number];
  writeFileSync(join(d2, 'etcd.json'), JSON.stringify({ clientPort, peerPort, identity }));
  const restored = flotilla('etcd-snapshot', 'restore', '--data-dir', d2, file);
  assert.equal(restored.status, 0, restored.stderr);
  assert.ok(existsSync(join(d2, 'etcd', 'member')), restored.stdout);

  // an API server with its embedded etcd on the restored dir (what `flotilla up` starts)
  const api = new ApiServerProcess(d2, await freePort(), '', ['--etcd-client-port', String(clientPort), '--etcd-peer-port', String(peerPort), '--disable-admission-plugins', 'ServiceAccount']);
  cleanups.push(() => api.stop());
  await api.start();
  const ns = await request(api.url, 'GET', '/api/v1/namespaces/keep');
  assert.equal(ns.status, 200, ns.text);
  assert.equal(ns.body.status.phase, 'Active');
  const cms = (await request(api.url, 'GET', '/api/v1/namespaces/keep/configmaps')).body.items as Array<{ metadata: { name: string }; data: { n: string } }>;
  assert.deepEqual(cms.filter((m) => m.metadata.name.startsWith('cm-')).map((m) => [m.metadata.name, m.data.n]), [['cm-0', '0'], ['cm-1', '1'], ['cm-2', '2']]);

  // while that etcd runs, restore refuses and leaves it alone
  const refused = flotilla('etcd-snapshot', 'restore', '--data-dir', d2, file);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /etcd of .* is running \(pid \d+\): stop it first/);
  assert.equal(readdirSync(d2).filter((f) => f.startsWith('etcd.before-restore-')).length, 0);
});
