// The volume manager on a temp directory (tmpfs mounts recorded, not made): every volume type's files and modes,
// what holds a pod back (with the kubelet's messages), in-place updates, emptyDir limits, teardown and orphans.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../lib/api/types.js';
import type { PodObjects } from '../objects.js';
import type { Volume } from '../spec.js';
import { FakeMounter } from '../testing/deps.js';
import { VolumeManager } from './manager.js';

const facts = { nodeName: 'n1', hostIP: '192.0.2.1' };
const allocatable = { cpu: 2, memory: 2 ** 30, 'ephemeral-storage': 2 ** 34 };

function setup(t: TestContext, cms: Record<string, KubeObject> = {}, secrets: Record<string, KubeObject> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-vols-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const objects: PodObjects = { configMap: async (_n, name) => cms[name], secret: async (_n, name) => secrets[name], serviceAccount: async () => undefined };
  const mounter = new FakeMounter();
  return { root, mounter, cms, secrets, vm: new VolumeManager({ podsDir: join(root, 'pods'), objects, mounter, allocatable }) };
}

const pod = (volumes: Volume[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' }, annotations: { note: 'hi' } },
  spec: { containers: [{ name: 'app', image: 'x', resources: { limits: { memory: '64Mi', cpu: '500m' } } }], volumes, ...extra },
});
const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data });
const secret = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
const mode = (p: string) => statSync(p).mode & 0o777;

test('configMap (all keys, defaultMode), secret (items to paths, per-item mode, on tmpfs), downwardAPI and projected volumes', async (t) => {
  const { vm, mounter } = setup(t, { cfg: cm({ 'app.conf': 'a=1', other: 'o' }) }, { s: secret({ password: 'hunter2', user: 'admin' }) });
  const p = pod([
    { name: 'config', configMap: { name: 'cfg', defaultMode: 0o640 } },
    { name: 'creds', secret: { secretName: 's', items: [{ key: 'password', path: 'db/pass', mode: 0o400 }], defaultMode: 0o644 } },
    { name: 'info', downwardAPI: { defaultMode: 0o644, items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } }] } },
    { name: 'all', projected: { defaultMode: 0o600, sources: [{ configMap: { name: 'cfg', items: [{ key: 'other', path: 'other.txt' }] } }, { secret: { name: 's' } }, { downwardAPI: { items: [{ path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } }] } }] } },
  ]);
  const { volumes, errors } = await vm.setup(p, facts);
  assert.deepEqual(errors, []);
  const at = (v: string, f: string) => join(volumes.get(v)!.hostPath, f);
  assert.equal(readFileSync(at('config', 'app.conf'), 'utf8'), 'a=1');
  assert.equal(mode(at('config', 'app.conf')), 0o640);
  assert.equal(readFileSync(at('creds', 'db/pass'), 'utf8'), 'hunter2');
  assert.equal(mode(at('creds', 'db/pass')), 0o400);
  assert.equal(existsSync(at('creds', 'user')), false, 'only the items listed');
  assert.equal(readFileSync(at('info', 'labels'), 'utf8'), 'app="web"');
  assert.equal(readFileSync(at('info', 'name'), 'utf8'), 'p');
  assert.equal(readFileSync(at('info', 'mem'), 'utf8'), '64');
  assert.equal(readFileSync(at('all', 'other.txt'), 'utf8'), 'o');
  assert.equal(readFileSync(at('all', 'password'), 'utf8'), 'hunter2');
  assert.equal(readFileSync(at('all', 'uid'), 'utf8'), 'uid-1');
  assert.equal(mode(at('all', 'uid')), 0o600);
  for (const v of ['config', 'creds', 'info', 'all']) assert.equal(volumes.get(v)!.readOnly, true, `${v} is mounted read-only`);
  assert.deepEqual([...mounter.mounts.keys()].map((m) => m.split('/').slice(-2).join('/')).sort(), ['kubernetes.io~projected/all', 'kubernetes.io~secret/creds'], 'secrets never touch the disk');
});

test('a changed ConfigMap is rewritten in place (the ..data swap); an unchanged one is left alone', async (t) => {
  const { vm, cms } = setup(t, { cfg: cm({ k: 'v1' }) });
  const p = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
  const dir = (await vm.setup(p, facts)).volumes.get('config')!.hostPath;
  const first = readlinkSync(join(dir, '..data'));
  await vm.setup(p, facts);
  assert.equal(readlinkSync(join(dir, '..data')), first, 'nothing rewritten');
  cms.cfg = cm({ k: 'v2' });
  await vm.setup(p, facts);
  assert.notEqual(readlinkSync(join(dir, '..data')), first);
  assert.equal(readFileSync(join(dir, 'k'), 'utf8'), 'v2');
});

test('what is missing holds the pod back with the kubelet\'s messages; optional sources may be missing', async (t) => {
  const { vm } = setup(t, { cfg: cm({ a: '1' }) });
  const { errors } = await vm.setup(pod([
    { name: 'a', configMap: { name: 'nope' } },
    { name: 'b', secret: { secretName: 'gone' } },
    { name: 'c', configMap: { name: 'cfg', items: [{ key: 'missing', path: 'x' }] } },
    { name: 'd', configMap: { name: 'nope', optional: true } },
    { name: 'e', secret: { secretName: 'gone', optional: true } },
    { name: 'f', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    { name: 'g', persistentVolumeClaim: { claimName: 'data' } },
  ]), facts);
  assert.deepEqual(errors.map((e) => `${e.volume}: ${e.message}`), [
    'a: configmap "nope" not found',
    'b: secret "gone" not found',
    'c: configmap references non-existent config key: missing',
    'f: serviceAccountToken projections are not served by this node yet (no TokenRequest source)',
    'g: persistentVolumeClaim "data": persistent volumes are not served by this node yet',
  ]);
});

test('projected serviceAccountToken sources are filled by the token source when one is given', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-vols-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const objects: PodObjects = { configMap: async () => undefined, secret: async () => undefined, serviceAccount: async () => undefined };
  const vm = new VolumeManager({ podsDir: root, objects, mounter: new FakeMounter(), allocatable, serviceAccountToken: async (p, s) => Buffer.from(`token-for-${p.metadata.name}-${s.audience}`) });
  const { volumes } = await vm.setup(pod([{ name: 'tok', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', audience: 'api' } }] } }]), facts);
  assert.equal(readFileSync(join(volumes.get('tok')!.hostPath, 'token'), 'utf8'), 'token-for-p-api');
});

test('emptyDir: a world-writable dir, on tmpfs for medium Memory (sized by sizeLimit, else the pod memory limit); over its sizeLimit on disk', async (t) => {
  const { vm, mounter } = setup(t);
  const p = pod([{ name: 'scratch', emptyDir: { sizeLimit: '32Ki' } }, { name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '2Mi' } }, { name: 'ram2', emptyDir: { medium: 'Memory' } }]);
  const { volumes } = await vm.setup(p, facts);
  assert.equal(mode(volumes.get('scratch')!.hostPath), 0o777);
  assert.equal(mounter.mounts.get(volumes.get('ram')!.hostPath), 2 * 2 ** 20);
  assert.equal(mounter.mounts.get(volumes.get('ram2')!.hostPath), 64 * 2 ** 20);
  assert.equal(mounter.isMountPoint(volumes.get('scratch')!.hostPath), false);
  assert.equal(vm.overLimit(p), undefined);
  writeFileSync(join(volumes.get('scratch')!.hostPath, 'big'), Buffer.alloc(64 * 1024, 1));
  assert.deepEqual(vm.overLimit(p), { volume: 'scratch', limit: '32Ki' });
});

test('hostPath type checks: created when asked, refused when not what the type says', async (t) => {
  const { vm, root } = setup(t);
  mkdirSync(join(root, 'dir'));
  writeFileSync(join(root, 'file'), '');
  const { volumes, errors } = await vm.setup(pod([
    { name: 'a', hostPath: { path: join(root, 'new/dir'), type: 'DirectoryOrCreate' } },
    { name: 'b', hostPath: { path: join(root, 'newfile'), type: 'FileOrCreate' } },
    { name: 'c', hostPath: { path: join(root, 'dir'), type: 'Directory' } },
    { name: 'd', hostPath: { path: join(root, 'file'), type: 'Directory' } },
    { name: 'e', hostPath: { path: join(root, 'dir'), type: 'File' } },
    { name: 'f', hostPath: { path: join(root, 'file'), type: 'Socket' } },
    { name: 'g', hostPath: { path: '/dev/null', type: 'CharDevice' } },
    { name: 'h', hostPath: { path: '/dev/null', type: 'BlockDevice' } },
    { name: 'i', hostPath: { path: join(root, 'missing'), type: '' } },
  ]), facts);
  assert.ok(statSync(join(root, 'new/dir')).isDirectory());
  assert.ok(statSync(join(root, 'newfile')).isFile());
  assert.deepEqual([...volumes.keys()].sort(), ['a', 'b', 'c', 'g', 'i']);
  assert.deepEqual(errors.map((e) => `${e.volume}: ${e.message}`), [
    `d: hostPath type check failed: ${join(root, 'file')} is not a directory`,
    `e: hostPath type check failed: ${join(root, 'dir')} is not a file`,
    `f: hostPath type check failed: ${join(root, 'file')} is not a socket file`,
    'h: hostPath type check failed: /dev/null is not a block device',
  ]);
});

test('teardown unmounts and removes the pod directory; orphans (pods not active) go the same way', async (t) => {
  const { vm, mounter, root } = setup(t);
  await vm.setup(pod([{ name: 'ram', emptyDir: { medium: 'Memory' } }]), facts);
  const other = { ...pod([{ name: 'x', emptyDir: {} }]), metadata: { name: 'q', namespace: 'ns', uid: 'uid-2' } };
  await vm.setup(other, facts);
  assert.equal(mounter.mounts.size, 1);
  assert.deepEqual(await vm.cleanupOrphans(new Set(['uid-2'])), ['uid-1']);
  assert.equal(mounter.mounts.size, 0, 'the tmpfs went first');
  assert.equal(existsSync(join(root, 'pods/uid-1')), false);
  assert.equal(existsSync(join(root, 'pods/uid-2')), true);
  await vm.teardown('uid-2');
  await vm.teardown('uid-2');
  assert.equal(existsSync(join(root, 'pods/uid-2')), false);
});
