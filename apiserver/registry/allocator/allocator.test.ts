import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import type { AllocationStorage } from './allocator.js';
import { parseIPRange, parsePortRange } from './ip-range.js';
import { AllocationRepair } from './repair.js';
import { ServiceAllocator } from './service.js';

/**
 * Storage with etcd's contract for what the allocator uses: create only if absent, delete at a revision. Each call
 * yields, so concurrent callers interleave.
 */
type Item = { key: string; obj: KubeObject; rev: number };

class FakeStorage implements AllocationStorage {
  readonly data = new Map<string, { value: string; rev: number }>();
  rev = 1;
  async get(key: string): Promise<{ obj: KubeObject; rev: number } | undefined> {
    await Promise.resolve();
    const e = this.data.get(key);
    return e && { obj: JSON.parse(e.value) as KubeObject, rev: e.rev };
  }
  async create(key: string, obj: KubeObject): Promise<{ ok: boolean }> {
    await new Promise((r) => setImmediate(r));
    if (this.data.has(key)) return { ok: false };
    this.data.set(key, { value: JSON.stringify(obj), rev: ++this.rev });
    return { ok: true };
  }
  async delete(key: string, expectedRev: number): Promise<{ ok: boolean }> {
    await Promise.resolve();
    if (this.data.get(key)?.rev !== expectedRev) return { ok: false };
    this.data.delete(key);
    this.rev++;
    return { ok: true };
  }
  async list(prefix: string, opts: { startKey?: string; limit?: number } = {}): Promise<{ items: Item[]; more: boolean }> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix) && k >= (opts.startKey ?? prefix)).sort();
    const page = keys.slice(0, opts.limit ?? keys.length);
    const item = (key: string): Item => ({ key, obj: JSON.parse(this.data.get(key)?.value as string) as KubeObject, rev: this.data.get(key)?.rev as number });
    return { items: page.map(item), more: page.length < keys.length };
  }
}

let uid = 0;
function svc(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${++uid}` }, spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }], ...spec } };
}

async function rejects422(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 422);
    assert.equal(e.message, message);
    return true;
  });
}

test('ranges: offsets skip the network and broadcast addresses; IPv6 works too', () => {
  const r = parseIPRange('10.96.0.0/12');
  assert.equal(r.size, (1 << 20) - 2);
  assert.equal(r.ipAt(0), '10.96.0.1');
  assert.equal(r.ipAt(r.size - 1), '10.111.255.254');
  assert.equal(r.offsetOf('10.96.0.10'), 9);
  assert.equal(r.offsetOf('10.96.0.0'), undefined);
  assert.equal(r.offsetOf('10.112.0.1'), undefined);
  assert.equal(r.offsetOf('fd00::1'), undefined);
  const v6 = parseIPRange('fd00:10:96::/112');
  assert.equal(v6.ipAt(0), 'fd00:10:96::1');
  assert.equal(v6.offsetOf('fd00:10:96:0::a'), 9);
  assert.throws(() => parseIPRange('10.96.0.0'), /want a CIDR/);
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768, text: '30000-32767' });
  assert.throws(() => parsePortRange('32767-30000'));
});

test('a cluster IP is allocated from the range; a requested one is honoured, or refused with Kubernetes messages', async () => {
  const a = new ServiceAllocator({ storage: new FakeStorage() });
  const s1 = svc('web');
  await (await a.allocate(s1, undefined, false)).commit();
  assert.ok(a.ipRange.offsetOf(s1.spec.clusterIP) !== undefined);
  assert.deepEqual(s1.spec.clusterIPs, [s1.spec.clusterIP]);
  assert.deepEqual(s1.spec.ipFamilies, ['IPv4']);
  const s2 = svc('dns', { clusterIP: '10.96.0.10' });
  await a.allocate(s2, undefined, false);
  assert.equal(s2.spec.clusterIP, '10.96.0.10');
  await rejects422(a.allocate(svc('again', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }), undefined, false),
    'Service "again" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
  await rejects422(a.allocate(svc('out', { clusterIP: '192.168.1.1' }), undefined, false),
    'Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.1.1"}: failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  const headless = svc('headless', { clusterIP: 'None' });
  await a.allocate(headless, undefined, false);
  assert.deepEqual(headless.spec.clusterIPs, ['None']);
  const ext = svc('ext', { type: 'ExternalName', externalName: 'example.com' });
  await a.allocate(ext, undefined, false);
  assert.equal(ext.spec.clusterIP, undefined);
});

test('dynamic allocation stays out of the static band (the first 256 addresses of a /12)', async () => {
  const a = new ServiceAllocator({ storage: new FakeStorage() });
  for (let i = 0; i < 50; i++) {
    const s = svc(`s${i}`);
    await a.allocate(s, undefined, false);
    assert.ok((a.ipRange.offsetOf(s.spec.clusterIP) as number) >= 256, s.spec.clusterIP);
  }
});

test('200 concurrent creates through two allocators on one storage (two API servers, or one restarted) get 200 distinct IPs; freed IPs are reusable', async () => {
  const storage = new FakeStorage();
  // a tiny range and a random source that always proposes the same values: every create races the others
  let n = 0;
  const random = (): number => ((n++ % 7) / 7);
  const a = new ServiceAllocator({ storage, serviceCIDR: '10.100.0.0/24', random });
  const b = new ServiceAllocator({ storage, serviceCIDR: '10.100.0.0/24', random });
  const services = Array.from({ length: 200 }, (_, i) => svc(`c${i}`));
  await Promise.all(services.map((s, i) => (i % 2 ? a : b).allocate(s, undefined, false)));
  const ips = services.map((s) => s.spec.clusterIP as string);
  assert.equal(new Set(ips).size, 200);
  assert.equal([...storage.data.keys()].filter((k) => k.includes('/serviceips/')).length, 200);
  // the range (254 addresses) has 54 left; more than that is a 500 "range is full"
  const more = Array.from({ length: 54 }, (_, i) => svc(`m${i}`));
  await Promise.all(more.map((s) => a.allocate(s, undefined, false)));
  await assert.rejects(a.allocate(svc('full'), undefined, false), (e: unknown) => e instanceof ApiError && e.code === 500 && /failed to allocate a serviceIP: range is full/.test(e.message));
  // a restarted API server (a new allocator) frees and reuses them
  const c = new ServiceAllocator({ storage, serviceCIDR: '10.100.0.0/24' });
  await Promise.all(services.map((s) => c.release(s)));
  const again = Array.from({ length: 200 }, (_, i) => svc(`r${i}`));
  await Promise.all(again.map((s) => c.allocate(s, undefined, false)));
  assert.equal(new Set(again.map((s) => s.spec.clusterIP)).size, 200);
  assert.deepEqual(new Set(again.map((s) => s.spec.clusterIP)), new Set(ips));
});

test('node ports: allocated for NodePort and LoadBalancer, requested ones checked, kept across updates, freed when no longer used', async () => {
  const storage = new FakeStorage();
  const a = new ServiceAllocator({ storage });
  const np = svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'fixed', port: 81, protocol: 'TCP', nodePort: 30080 }] });
  await a.allocate(np, undefined, false);
  const auto = np.spec.ports[0].nodePort as number;
  assert.ok(auto >= 30000 && auto <= 32767);
  assert.equal(np.spec.ports[1].nodePort, 30080);
  await rejects422(a.allocate(svc('np2', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined, false),
    'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  await rejects422(a.allocate(svc('np3', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 8080 }] }), undefined, false),
    'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
  // the failed create took nothing: its cluster IP went back
  assert.equal([...storage.data.keys()].filter((k) => k.includes('/serviceips/')).length, 1);
  // an update keeping 30080 and dropping the other port frees the other port
  const next = structuredClone(np);
  next.spec.ports = [np.spec.ports[1]];
  await (await a.allocate(next, np, false)).commit();
  const lb = svc('lb', { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', nodePort: auto }] });
  await a.allocate(lb, undefined, false);
  assert.equal(lb.spec.ports[0].nodePort, auto);
  // LoadBalancer without node ports
  const lb2 = svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false });
  await a.allocate(lb2, undefined, false);
  assert.equal(lb2.spec.ports[0].nodePort, undefined);
  // type changed to ClusterIP (node ports dropped by the update): freed on commit
  const toCluster = structuredClone(next);
  toCluster.spec.type = 'ClusterIP';
  delete toCluster.spec.ports[0].nodePort;
  await (await a.allocate(toCluster, next, false)).commit();
  await a.allocate(svc('np4', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), undefined, false);
});

test('dry run checks and fills in without taking anything', async () => {
  const storage = new FakeStorage();
  const a = new ServiceAllocator({ storage });
  const s = svc('dry', { type: 'NodePort' });
  await a.allocate(s, undefined, true);
  assert.ok(s.spec.clusterIP);
  assert.ok(s.spec.ports[0].nodePort);
  assert.equal(storage.data.size, 0);
  await a.allocate(svc('real', { clusterIP: '10.96.0.10' }), undefined, false);
  await rejects422(a.allocate(svc('dry2', { clusterIP: '10.96.0.10' }), undefined, true),
    'Service "dry2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
});

test('the repair loop records what existing Services hold and frees leaks after several passes', async () => {
  const storage = new FakeStorage();
  const a = new ServiceAllocator({ storage });
  // a Service stored before the allocation records existed
  const legacy = svc('legacy', { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }] });
  // an allocation whose Service was never stored (a crash between the two writes)
  await a.allocate(svc('leaked', { clusterIP: '10.96.7.7' }), undefined, false);
  const repair = new AllocationRepair(a, { listServices: () => [legacy], leakPasses: 2 });
  const first = await repair.runOnce();
  assert.equal(first.recorded, 2);
  assert.equal(first.freed, 0);
  await rejects422(a.allocate(svc('x', { clusterIP: '10.96.5.5' }), undefined, false),
    'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.5.5"}: failed to allocate IP 10.96.5.5: provided IP is already allocated');
  const second = await repair.runOnce();
  assert.equal(second.freed, 1);
  await a.allocate(svc('y', { clusterIP: '10.96.7.7' }), undefined, false);
});
