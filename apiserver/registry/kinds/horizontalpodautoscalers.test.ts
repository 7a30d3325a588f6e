// The HorizontalPodAutoscaler kind files through the generic store (in memory): v2's defaults and checks as
// Kubernetes words them, autoscaling/v1 served from the same objects (targetCPUUtilizationPercentage both ways, the
// rest in the annotations), and the TARGETS column as kubectl 1.27-1.33 print it.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import { tableRow } from '../../printers/columns.js';
import { CacheHub } from '../../storage/cache.js';
import { MemoryStorage } from '../../storage/memory.js';
import { ConvertingStore } from '../converting-store.js';
import { Store } from '../store.js';
import type { WriteContext } from '../types.js';
import hpas from './horizontalpodautoscalers.js';

const [v2def, v1def] = hpas as [typeof hpas[0], typeof hpas[0]];
const storage = new MemoryStorage();
const hub = new CacheHub(storage, 1000);
const sctx = { listCached: () => [] };
const v2 = new Store(v2def, storage, hub, async () => undefined, sctx);
const v1 = new ConvertingStore(v1def, storage, hub, async () => undefined, sctx, v2);
const ctx = (): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation: 'Strict', warnings: [] });

before(() => hub.start());
after(() => hub.stop());

const hpa = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, ...spec } });

const invalid = (message: string) => (e: unknown): boolean => {
  assert.ok(e instanceof ApiError, String(e));
  assert.equal(e.code, 422);
  assert.equal(e.message, message);
  return true;
};

test('v2 defaults: minReplicas 1 and 80% CPU; a given behavior gets the default policies', async () => {
  const o = await v2.create(ctx(), hpa('plain', { behavior: { scaleDown: { stabilizationWindowSeconds: 5 } } }));
  assert.equal(o.spec?.minReplicas, 1);
  assert.deepEqual(o.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(o.spec?.behavior, {
    scaleDown: { stabilizationWindowSeconds: 5, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  });
  assert.deepEqual(o.status, { desiredReplicas: 0 });
});

test('v2 checks with Kubernetes\' messages: min and max replicas, metric sources and targets, behavior bounds', async () => {
  const name = 'HorizontalPodAutoscaler.autoscaling "bad" is invalid: ';
  await assert.rejects(v2.create(ctx(), hpa('bad', { minReplicas: 0 })), invalid(`${name}spec.minReplicas: Invalid value: 0: must be greater than or equal to 1`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { minReplicas: 4 })), invalid(`${name}spec.maxReplicas: Invalid value: 3: must be greater than or equal to \`minReplicas\``));
  await assert.rejects(v2.create(ctx(), hpa('bad', { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] })),
    invalid(`${name}spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] })),
    invalid(`${name}spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } }] })),
    invalid(`${name}spec.metrics[0].pods: Required value: must populate information for the given metric source`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { metrics: [{ type: 'Resource', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } },
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } }] })),
  invalid(`${name}spec.metrics[0].pods: Forbidden: must populate the given metric source only`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { behavior: { scaleUp: { stabilizationWindowSeconds: 3601 } } })),
    invalid(`${name}spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { behavior: { scaleDown: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } } })),
    invalid(`${name}spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero`));
  await assert.rejects(v2.create(ctx(), hpa('bad', { scaleTargetRef: { kind: 'Deployment' } })), invalid(`${name}spec.scaleTargetRef.name: Required value`));
});

test('autoscaling/v1 is the same object: a v1 create is read back in v2 and v1, other metrics and behavior travel in annotations', async () => {
  const created = await v1.create(ctx(), { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'old' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 60 } } as KubeObject);
  assert.equal(created.apiVersion, 'autoscaling/v1');
  assert.equal(created.spec?.targetCPUUtilizationPercentage, 60);
  assert.deepEqual(created.status, { currentReplicas: 0, desiredReplicas: 0 });
  const asV2 = await v2.get('default', 'old');
  assert.deepEqual(asV2.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
  // a v2 object with more than v1 can say
  await v2.update(ctx(), 'old', (cur) => ({ ...cur, spec: { ...cur.spec, behavior: { scaleDown: { stabilizationWindowSeconds: 5 } },
    metrics: [...(cur.spec?.metrics as unknown[]), { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] } }));
  const asV1 = await v1.get('default', 'old');
  assert.equal(asV1.spec?.targetCPUUtilizationPercentage, 60);
  assert.deepEqual(JSON.parse(asV1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics'] as string),
    [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }]);
  // a v1 update of its own field keeps what only v2 holds
  await v1.update(ctx(), 'old', (cur) => ({ ...cur, spec: { ...cur.spec, targetCPUUtilizationPercentage: 70 } }));
  const back = await v2.get('default', 'old');
  assert.equal((back.spec?.metrics as Array<{ resource: { target: { averageUtilization?: number } } }>)[0]?.resource.target.averageUtilization, 70);
  assert.equal((back.spec?.metrics as unknown[]).length, 2);
  assert.equal(back.spec?.behavior?.scaleDown?.stabilizationWindowSeconds, 5);
  assert.equal(back.metadata.annotations, undefined);
  // v1's own checks are v2's, with v2's words
  await assert.rejects(v1.create(ctx(), { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad1' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 0 } } as KubeObject),
  (e: unknown) => e instanceof ApiError && e.code === 422 && /spec.maxReplicas: Invalid value: 0: must be greater than 0/.test(e.message));
});

test('TARGETS as kubectl prints it: <unknown> until measured, then current/target per metric, two at most', () => {
  const now = new Date();
  const o = hpa('t', { minReplicas: 1, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] });
  o.metadata.creationTimestamp = now.toISOString();
  assert.deepEqual(tableRow(v2def.printer, o, now), ['t', 'Deployment/web', 'cpu: <unknown>/50%', '1', 3, 0, '0s']);
  o.status = { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45, averageValue: '45m' } } }] };
  assert.equal(tableRow(v2def.printer, o, now)[2], 'cpu: 45%/50%');
  assert.equal(tableRow(v2def.printer, o, now)[5], 2);
  (o.spec as Record<string, unknown>).metrics = [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '300m' } } },
  ];
  assert.equal(tableRow(v2def.printer, o, now)[2], 'cpu: 45%/50%, memory: <unknown>/100Mi + 1 more...');
  assert.equal(tableRow(v1def.printer, { ...o, apiVersion: 'autoscaling/v1', spec: { ...o.spec, metrics: undefined, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 2, currentCPUUtilizationPercentage: 45 } }, now)[2], 'cpu: 45%/50%');
});
