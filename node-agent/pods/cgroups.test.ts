// The pod cgroup hierarchy on a temp dir standing in for /sys/fs/cgroup (v1: one directory per controller; v2: the
// unified hierarchy, recognised by its cgroup.controllers file). A real cgroupfs drops a directory's interface files
// with it; the fake rmdir removes the files the agent wrote, and refuses a directory holding "tasks" as the kernel
// refuses one with processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';
import { PodCgroups, kubepodsOf, normalizeCgroupRoot } from './cgroups.js';

const pod = (uid: string, resources: Record<string, Record<string, string>> = {}, qosClass?: string): KubeObject => ({
  metadata: { name: uid, namespace: 'default', uid },
  spec: { containers: [{ name: 'c', image: 'x', resources }] },
  status: qosClass ? { qosClass } : {},
});

function fakeRmdir(dir: string): void {
  if (existsSync(join(dir, 'tasks'))) throw Object.assign(new Error(`EBUSY: ${dir}`), { code: 'EBUSY' });
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isFile()) rmSync(join(dir, e.name));
  rmdirSync(dir);
}

function mountV1(t: { after(fn: () => void): void }): string {
  const mount = mkdtempSync(join(tmpdir(), 'cgroupfs-'));
  t.after(() => rmSync(mount, { recursive: true, force: true }));
  for (const h of ['cpu,cpuacct', 'memory', 'pids', 'cpuset']) mkdirSync(join(mount, h));
  symlinkSync('cpu,cpuacct', join(mount, 'cpu'));
  symlinkSync('cpu,cpuacct', join(mount, 'cpuacct'));
  return mount;
}

const read = (f: string) => readFileSync(f, 'utf8');

test('the cgroup root: absolute, normalized; kubepods under it', () => {
  assert.equal(normalizeCgroupRoot('/'), '');
  assert.equal(normalizeCgroupRoot('/flotilla-e2e-x/'), '/flotilla-e2e-x');
  assert.equal(normalizeCgroupRoot('//a//b'), '/a/b');
  assert.throws(() => normalizeCgroupRoot('relative'), /absolute/);
  assert.throws(() => normalizeCgroupRoot('/a/../b'), /\.\./);
  assert.equal(kubepodsOf('/'), '/kubepods');
  assert.equal(kubepodsOf('/flotilla-e2e-x'), '/flotilla-e2e-x/kubepods');
});

test('v1: pod cgroups by QoS class with their shares and quota; QoS shares follow the pods; removal everywhere, children first', (t) => {
  const mount = mountV1(t);
  const active: KubeObject[] = [];
  const cg = new PodCgroups({ cgroupRoot: '/node-a', mountPoint: mount, allocatableMilliCPU: 2000, activePods: () => active, rmdir: fakeRmdir });
  assert.equal(cg.v2, false);
  const burst = pod('b1', { requests: { cpu: '250m' } });
  const burner = pod('b2', { requests: { cpu: '100m' }, limits: { cpu: '200m' } });
  const best = pod('e1');
  const guaranteed = pod('g1', { requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } }, 'Guaranteed');
  assert.equal(cg.podCgroup(burst), '/node-a/kubepods/burstable/podb1');
  assert.equal(cg.podCgroup(best), '/node-a/kubepods/besteffort/pode1');
  assert.equal(cg.podCgroup(guaranteed), '/node-a/kubepods/podg1');

  const cpu = join(mount, 'cpu,cpuacct', 'node-a', 'kubepods');
  // the pod being started counts before it is in the active list
  assert.equal(cg.ensurePod(burst), '/node-a/kubepods/burstable/podb1');
  assert.equal(read(join(cpu, 'cpu.shares')), '2048');
  assert.equal(read(join(cpu, 'besteffort/cpu.shares')), '2');
  assert.equal(read(join(cpu, 'burstable/cpu.shares')), '256');
  assert.equal(read(join(cpu, 'burstable/podb1/cpu.shares')), '256');
  assert.equal(existsSync(join(cpu, 'burstable/podb1/cpu.cfs_quota_us')), false, 'no quota without a cpu limit');
  active.push(burst);
  cg.ensurePod(burner);
  active.push(burner);
  assert.equal(read(join(cpu, 'burstable/cpu.shares')), String(Math.floor(350 * 1024 / 1000)));
  assert.equal(read(join(cpu, 'burstable/podb2/cpu.shares')), '102');
  assert.equal(read(join(cpu, 'burstable/podb2/cpu.cfs_period_us')), '100000');
  assert.equal(read(join(cpu, 'burstable/podb2/cpu.cfs_quota_us')), '20000');
  cg.ensurePod(best);
  active.push(best);
  assert.equal(read(join(cpu, 'besteffort/pode1/cpu.shares')), '2');
  cg.ensurePod(guaranteed);
  active.push(guaranteed);
  assert.equal(read(join(cpu, 'podg1/cpu.shares')), '512');
  assert.equal(read(join(cpu, 'podg1/cpu.cfs_quota_us')), '50000');
  assert.equal(read(join(cpu, 'burstable/cpu.shares')), '358', 'a Guaranteed pod is not counted in burstable');

  // runc made the containers' cgroups in the other hierarchies (and the pod's on the way)
  const memPod = join(mount, 'memory', 'node-a/kubepods/burstable/podb1');
  mkdirSync(join(memPod, 'ctr1'), { recursive: true });
  mkdirSync(join(mount, 'pids', 'node-a/kubepods/burstable/podb1/ctr1'), { recursive: true });
  assert.deepEqual([...cg.podUids()].sort(), ['b1', 'b2', 'e1', 'g1']);

  // a pod goes: its cgroup is removed from every hierarchy; burstable's shares drop
  active.splice(active.indexOf(burst), 1);
  cg.removePod('b1');
  cg.updateQOS();
  assert.equal(existsSync(join(cpu, 'burstable/podb1')), false);
  assert.equal(existsSync(memPod), false);
  assert.equal(existsSync(join(mount, 'pids', 'node-a/kubepods/burstable/podb1')), false);
  assert.equal(read(join(cpu, 'burstable/cpu.shares')), '102');

  // a cgroup still holding processes stays (the kernel refuses); orphans are the pods not kept
  writeFileSync(join(cpu, 'besteffort/pode1/tasks'), '123\n');
  assert.deepEqual(cg.cleanupOrphans(new Set(['b2'])).sort(), ['e1', 'g1']);
  assert.equal(existsSync(join(cpu, 'podg1')), false);
  assert.equal(existsSync(join(cpu, 'besteffort/pode1')), true, 'busy: not removed');
  assert.equal(existsSync(join(cpu, 'burstable/podb2')), true, 'kept');

  // the node goes away: the whole kubepods tree, the root itself stays
  rmSync(join(cpu, 'besteffort/pode1/tasks'));
  cg.removeAll();
  for (const h of ['cpu,cpuacct', 'memory', 'pids']) assert.deepEqual(readdirSync(join(mount, h, 'node-a')), [], h);
});

test('a restarted agent keeps the pods\' cgroups: the same parent, QoS shares from the pods already there', (t) => {
  const mount = mountV1(t);
  const running = [pod('b1', { requests: { cpu: '250m' } })];
  const first = new PodCgroups({ cgroupRoot: '/n', mountPoint: mount, allocatableMilliCPU: 2000, activePods: () => running, rmdir: fakeRmdir });
  const parent = first.ensurePod(running[0]!);
  mkdirSync(join(mount, 'cpu', parent, 'ctr'));
  writeFileSync(join(mount, 'cpu', parent, 'ctr', 'tasks'), '1\n');
  const again = new PodCgroups({ cgroupRoot: '/n', mountPoint: mount, allocatableMilliCPU: 2000, activePods: () => running, rmdir: fakeRmdir });
  again.updateQOS();
  assert.equal(again.podCgroup(running[0]!), parent);
  assert.deepEqual(again.cleanupOrphans(new Set(['b1'])), []);
  assert.equal(read(join(mount, 'cpu', parent, 'cpu.shares')), '256');
  assert.equal(read(join(mount, 'cpu', '/n/kubepods/burstable/cpu.shares')), '256');
});

test('v2: cpu.weight and cpu.max, with the cpu controller delegated down to the pod', (t) => {
  const mount = mkdtempSync(join(tmpdir(), 'cgroup2-'));
  t.after(() => rmSync(mount, { recursive: true, force: true }));
  writeFileSync(join(mount, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(mount, 'cgroup.subtree_control'), 'memory pids\n');
  const cg = new PodCgroups({ cgroupRoot: '/', mountPoint: mount, allocatableMilliCPU: 2000, activePods: () => [], rmdir: fakeRmdir });
  assert.equal(cg.v2, true);
  const p = pod('b2', { requests: { cpu: '100m' }, limits: { cpu: '200m' } });
  assert.equal(cg.ensurePod(p), '/kubepods/burstable/podb2');
  assert.equal(read(join(mount, 'kubepods/cpu.weight')), '79');
  assert.equal(read(join(mount, 'kubepods/besteffort/cpu.weight')), '1');
  assert.equal(read(join(mount, 'kubepods/burstable/podb2/cpu.weight')), '4');
  assert.equal(read(join(mount, 'kubepods/burstable/podb2/cpu.max')), '20000 100000');
  for (const d of ['', 'kubepods', 'kubepods/burstable']) assert.equal(read(join(mount, d, 'cgroup.subtree_control')), '+cpu', `${d || '/'} delegates cpu`);
  cg.removeAll();
  assert.equal(existsSync(join(mount, 'kubepods')), false);
});

test('failures to write are not fatal: the parent is still given', (t) => {
  const mount = mkdtempSync(join(tmpdir(), 'cgroupfs-'));
  t.after(() => rmSync(mount, { recursive: true, force: true }));
  writeFileSync(join(mount, 'cpu'), 'not a directory');
  const cg = new PodCgroups({ cgroupRoot: '/x', mountPoint: mount, allocatableMilliCPU: 1000, activePods: () => [] });
  assert.equal(cg.ensurePod(pod('e1')), '/x/kubepods/besteffort/pode1');
  cg.removePod('e1');
  cg.removeAll();
});
