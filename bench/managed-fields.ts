// What recording managedFields costs a write, in CPU: the field-set work the store now does on every create and
// update (diff of the parsed objects, FieldsV1 in and out), and a server-side apply's merge and conflict check, each
// per Deployment write, beside a structuredClone of the same object (the store clones a write's object twice already).
// In-process and single-threaded: the figures are CPU per write, printed with the machine's load.
import { loadavg, cpus } from 'node:os';
import type { KubeObject } from '../lib/api/types.js';
import { applyConfig } from '../apiserver/apply/apply.js';
import { trackWrite } from '../apiserver/apply/track.js';
import type { KindDefinition } from '../apiserver/registry/kind.js';
import { builtinKinds } from '../apiserver/registry/kinds/index.js';

const deployments = (await builtinKinds()).find((d) => d.info.resource === 'deployments') as KindDefinition;

function deployment(i: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' } },
    spec: {
      replicas: 3, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler',
          containers: [
            { name: 'web', image: 'registry/web:1', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], resources: { requests: { cpu: '100m', memory: '64Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 5 }, volumeMounts: [{ name: 'data', mountPath: '/data' }] },
            { name: 'side', image: 'registry/side:1', args: ['--a', '--b'] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

function time(label: string, n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(7)} µs/write`);
  return us;
}

const N = 20_000;
const fm = { manager: 'bench', apiVersion: 'apps/v1' };
console.log(`managedFields cost per Deployment write: ${N} writes each, node ${process.version}, ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const base = deployment(0);
time('structuredClone of the object (baseline)', N, () => structuredClone(base));
time('create: managedFields of a new object', N, (i) => trackWrite(deployments, fm, deployment(i), undefined));
const created = deployment(0);
trackWrite(deployments, fm, created, undefined);
time('update: replicas changed by another manager', N, (i) => {
  const next = structuredClone(created);
  (next.spec as { replicas: number }).replicas = 4 + (i % 5);
  trackWrite(deployments, { manager: 'scaler', apiVersion: 'apps/v1' }, next, created);
});
time('update: nothing changed (controllers\' no-op writes)', N, () => trackWrite(deployments, fm, structuredClone(created), created));
const applied = applyConfig(undefined, { def: deployments, manager: 'a', apiVersion: 'apps/v1', force: false, config: deployment(0) });
time('server-side apply of the whole object, one field changed', N, (i) => {
  const cfg = deployment(0);
  (cfg.spec as { replicas: number }).replicas = 3 + (i % 2);
  applyConfig(applied, { def: deployments, manager: 'a', apiVersion: 'apps/v1', force: false, config: cfg });
});
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
