import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { filterPods } from './drain.js';

const pod = (name: string, o: { owner?: string; emptyDir?: boolean; phase?: string; mirror?: boolean } = {}): KubeObject => ({
  metadata: {
    name, namespace: 'ns',
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner, name: 'x', uid: 'u', controller: true }] } : {}),
    ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
  },
  spec: { volumes: o.emptyDir ? [{ name: 'tmp', emptyDir: {} }] : [] },
  status: { phase: o.phase ?? 'Running' },
});
const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);
const none = { force: false, ignoreDaemonSets: false, deleteEmptyDir: false };

test('pods with a controller go; DaemonSet pods need --ignore-daemonsets and then stay', () => {
  const pods = [pod('web', { owner: 'ReplicaSet' }), pod('agent', { owner: 'DaemonSet' })];
  const strict = filterPods(pods, none);
  assert.deepEqual(names(strict.remove), ['web']);
  assert.deepEqual([...strict.errors], [['cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)', ['ns/agent']]]);
  const lenient = filterPods(pods, { ...none, ignoreDaemonSets: true });
  assert.deepEqual(names(lenient.remove), ['web']);
  assert.deepEqual([...lenient.warnings], [['ignoring DaemonSet-managed Pods', ['ns/agent']]]);
  assert.equal(lenient.errors.size, 0);
});

test('bare pods need --force, emptyDir pods --delete-emptydir-data; finished ones always go; mirror pods stay', () => {
  const pods = [pod('bare'), pod('scratch', { owner: 'ReplicaSet', emptyDir: true }), pod('done', { phase: 'Succeeded', emptyDir: true }), pod('static', { mirror: true })];
  const strict = filterPods(pods, none);
  assert.deepEqual(names(strict.remove), ['done']);
  assert.deepEqual([...strict.errors.keys()], ['cannot delete cannot delete Pods that declare no controller (use --force to override)',
    'cannot delete Pods with local storage (use --delete-emptydir-data to override)']);
  const forced = filterPods(pods, { ...none, force: true, deleteEmptyDir: true });
  assert.deepEqual(names(forced.remove), ['bare', 'scratch', 'done']);
  assert.deepEqual([...forced.warnings], [['deleting Pods that declare no controller', ['ns/bare']]]);
});
