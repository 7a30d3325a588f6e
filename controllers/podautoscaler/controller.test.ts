// The autoscaler's pass over one HPA with a fake scale, fake metrics and a clock: it scales up with a
// SuccessfulRescale event naming the metric, holds during the scale-down window, then scales down; the status
// carries the counts, the current metrics and the conditions with upstream's reasons; missing metrics and a
// missing target are reported as Kubernetes reports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { DEFAULT_AUTOSCALER, HPA, HorizontalPodAutoscalerController, type AutoscalerDeps } from './controller.js';
import type { PodSample } from './replicas.js';

const POD = findByKind('v1', 'Pod')!;
const T0 = Date.parse('2026-01-01T12:00:00Z');

function hpa(): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 20, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    },
  };
}

const pod = (name: string): KubeObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '100m' } } }] },
  status: { phase: 'Running', startTime: new Date(T0 - 600_000).toISOString(), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(T0 - 590_000).toISOString() }] },
});

interface World {
  replicas: number;
  usage: Record<string, number> | Error;
  now: number;
  statuses: KubeObject[];
  events: string[];
  scaled: Array<[string, number]>;
  missingTarget?: boolean;
}

async function start(t: { after: (fn: () => void) => void }, pods: string[]) {
  const api = new FakeApiServer();
  for (const p of pods) api.seed(POD, pod(p));
  api.seed(HPA, hpa());
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const w: World = { replicas: 1, usage: {}, now: T0, statuses: [], events: [], scaled: [] };
  const deps: AutoscalerDeps = {
    getScale: async (kind: KindInfo, _ns, name) => {
      if (w.missingTarget) throw new Error(`deployments.apps "${name}" not found`);
      return { metadata: { name }, spec: { replicas: w.replicas }, status: { replicas: w.replicas, selector: 'app=web' }, kind: kind.kind };
    },
    updateScale: async (_k, _ns, name, replicas) => {
      w.scaled.push([name, replicas]);
      w.replicas = replicas;
    },
    updateStatus: async (h) => void w.statuses.push(structuredClone(h)),
    metrics: {
      podSamples: async () => {
        if (w.usage instanceof Error) throw w.usage;
        return new Map(Object.entries(w.usage).map(([k, v]): [string, PodSample] => [k, { milli: v, timestamp: w.now - 5000, windowMs: 10_000 }]));
      },
    },
    events: { event: (_o, type, reason, message) => void w.events.push(`${type} ${reason} ${message}`) },
    now: () => w.now,
  };
  const ctl = new HorizontalPodAutoscalerController(new ControllerContext(client, informers), DEFAULT_AUTOSCALER, deps);
  t.after(() => informers.stop());
  await informers.start();
  const pass = async () => {
    const current = informers.informerFor(HPA).get('web', 'default') as KubeObject;
    const base = w.statuses.length ? { ...current, status: w.statuses[w.statuses.length - 1]?.status } : current;
    await ctl.reconcileAutoscaler('default/web', structuredClone(base));
    return w.statuses[w.statuses.length - 1] as KubeObject;
  };
  return { w, pass };
}

const cond = (h: KubeObject, type: string) => (h.status?.conditions as Array<Record<string, string>>).find((c) => c.type === type);

test('scales up on high CPU with SuccessfulRescale, holds through the scale-down window, then scales down', async (t) => {
  const { w, pass } = await start(t, ['a']);
  w.usage = { a: 200 };
  let h = await pass();
  assert.deepEqual(w.scaled, [['web', 3]]);
  assert.deepEqual(w.events, ['Normal SuccessfulRescale New size: 3; reason: cpu resource utilization (percentage of request) above target']);
  assert.equal(h.status?.currentReplicas, 1);
  assert.equal(h.status?.desiredReplicas, 3);
  assert.ok(h.status?.lastScaleTime);
  assert.deepEqual(h.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '200m', averageUtilization: 200 } } }]);
  assert.equal(cond(h, 'AbleToScale')?.reason, 'SucceededRescale');
  assert.equal(cond(h, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  assert.deepEqual([cond(h, 'ScalingLimited')?.status, cond(h, 'ScalingLimited')?.reason], ['True', 'TooManyReplicas']);

  // load gone: three idle pods; within the 20 s window the count stays
  w.usage = { a: 0, b: 0, c: 0 };
  w.now += 10_000;
  h = await pass();
  assert.equal(w.scaled.length, 1);
  assert.deepEqual([cond(h, 'AbleToScale')?.reason, h.status?.desiredReplicas], ['ScaleDownStabilized', 3]);
  w.now += 15_000;
  h = await pass();
  assert.deepEqual(w.scaled, [['web', 3], ['web', 1]]);
  assert.equal(w.events.at(-1), 'Normal SuccessfulRescale New size: 1; reason: All metrics below target');
  assert.equal(h.status?.desiredReplicas, 1);
});

test('no metrics: ScalingActive=False FailedGetResourceMetric with upstream\'s message, Warning events, TARGETS stays unknown', async (t) => {
  const { w, pass } = await start(t, ['a']);
  w.usage = new Error('no metrics returned from resource metrics API');
  const h = await pass();
  const msg = 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API';
  assert.deepEqual(cond(h, 'ScalingActive'), { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric',
    message: `the HPA was unable to compute the replica count: ${msg}`, lastTransitionTime: cond(h, 'ScalingActive')?.lastTransitionTime });
  assert.deepEqual(w.events, [`Warning FailedGetResourceMetric ${msg}`, `Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: ${msg}`]);
  assert.deepEqual(h.status?.currentMetrics, [{ type: '' }]);
  assert.deepEqual(w.scaled, []);
});

test('a target that is gone: AbleToScale=False FailedGetScale', async (t) => {
  const { w, pass } = await start(t, []);
  w.missingTarget = true;
  const h = await pass();
  assert.deepEqual([cond(h, 'AbleToScale')?.status, cond(h, 'AbleToScale')?.reason], ['False', 'FailedGetScale']);
  assert.match(cond(h, 'AbleToScale')?.message ?? '', /^the HPA controller was unable to get the target's current scale: deployments.apps "web" not found$/);
  assert.deepEqual(w.events, ['Warning FailedGetScale deployments.apps "web" not found']);
});

test('replicas above maxReplicas are brought down to it whatever the metrics', async (t) => {
  const { w, pass } = await start(t, ['a']);
  w.replicas = 5;
  const h = await pass();
  assert.deepEqual(w.scaled, [['web', 3]]);
  assert.deepEqual(w.events, ['Normal SuccessfulRescale New size: 3; reason: Current number of replicas above Spec.MaxReplicas']);
  assert.equal(h.status?.desiredReplicas, 3);
});
