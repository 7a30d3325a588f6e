import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tolerates } from '../../lib/api/taints.js';
import { evictionDelayMs, type Taint } from './taints.js';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: new Date(1_000_000).toISOString() };
const pod = (tolerations?: unknown[]) => ({ metadata: { name: 'p' }, spec: { tolerations } });

test('a pod without tolerations stays on an unreachable node for the default seconds', () => {
  assert.equal(evictionDelayMs(pod(), [unreachable], 300, 1_000_000), 300_000);
  assert.equal(evictionDelayMs(pod(), [unreachable], 300, 1_000_000 + 301_000), 0);
});

test('tolerationSeconds overrides the default; a toleration without seconds stays forever', () => {
  assert.equal(evictionDelayMs(pod([{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), [unreachable], 300, 1_000_000), 5_000);
  assert.equal(evictionDelayMs(pod([{ operator: 'Exists' }]), [unreachable], 300, 1_000_000), undefined);
});

test('an untolerated custom NoExecute taint evicts at once', () => {
  assert.equal(evictionDelayMs(pod(), [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }], 300), 0);
  assert.equal(evictionDelayMs(pod([{ key: 'dedicated', operator: 'Equal', value: 'db' }]), [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }], 300), undefined);
});

test('toleration matching follows key, operator, value and effect', () => {
  const t: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  assert.ok(tolerates({ key: 'k', operator: 'Equal', value: 'v' }, t));
  assert.ok(!tolerates({ key: 'k', operator: 'Equal', value: 'w' }, t));
  assert.ok(!tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, t));
  assert.ok(tolerates({ operator: 'Exists' }, t));
  assert.ok(tolerates({ value: 'v' }, t), 'an empty key and operator compare values only, as Kubernetes does');
  assert.ok(!tolerates({ value: 'w' }, t));
});
