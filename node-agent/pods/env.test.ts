// A container's environment: envFrom with prefixes (bad names skipped and reported), env overriding it, $(VAR)
// references, the downward API and resource fields, and the errors that hold the container back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ContainerConfigError, containerEnv, formatMap, skippedKeysMessage } from './env.js';
import type { PodObjects } from './objects.js';
import type { ContainerSpec } from './spec.js';

function objects(cms: Record<string, Record<string, string>>, secrets: Record<string, Record<string, string>> = {}): PodObjects {
  const wrap = (data: Record<string, string> | undefined, b64: boolean): KubeObject | undefined =>
    data ? { apiVersion: 'v1', kind: 'X', metadata: {}, data: b64 ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : data } : undefined;
  return { configMap: async (_ns, n) => wrap(cms[n], false), secret: async (_ns, n) => wrap(secrets[n], true), serviceAccount: async () => undefined };
}

const pod = (c: ContainerSpec): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'web', tier: 'f"e' } }, spec: { containers: [c] } });
const facts = { nodeName: 'n1', hostIP: '192.0.2.1', podIP: '10.0.0.9', allocatable: { cpu: 2, memory: 4 * 2 ** 30, 'ephemeral-storage': 10 * 2 ** 30 } };
const asMap = (env: Array<{ key: string; value: string }>) => Object.fromEntries(env.map((e) => [e.key, e.value]));

test('envFrom: every key with its prefix, invalid names skipped (and named in the event), env after it wins and can refer to it', async () => {
  const c: ContainerSpec = {
    name: 'app', image: 'x',
    envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
    env: [{ name: 'MODE', value: 'override' }, { name: 'URL', value: 'postgres://$(DB_USER)@host' }],
  };
  const { env, skipped } = await containerEnv(pod(c), c, facts, objects({ cfg: { MODE: 'base', '1bad': 'x', 'has space': 'y', 'ok.dotted-name': 'z' } }, { creds: { USER: 'admin' } }));
  assert.deepEqual(asMap(env), { MODE: 'override', 'ok.dotted-name': 'z', DB_USER: 'admin', URL: 'postgres://admin@host' });
  assert.deepEqual(skipped, [{ kind: 'configMap', name: 'cfg', keys: ['1bad', 'has space'] }]);
  assert.equal(skippedKeysMessage(pod(c), skipped[0]!), 'Keys [1bad, has space] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.');
});

test('a missing object or key that is not optional is an error; optional ones are left out', async () => {
  const c = (e: ContainerSpec['env'], from?: ContainerSpec['envFrom']): ContainerSpec => ({ name: 'app', image: 'x', env: e, envFrom: from });
  const objs = objects({ cfg: { a: '1' } });
  await assert.rejects(containerEnv(pod(c([], [{ configMapRef: { name: 'nope' } }])), c([], [{ configMapRef: { name: 'nope' } }]), facts, objs), (e: Error) => e instanceof ContainerConfigError && e.message === 'configmap "nope" not found');
  await assert.rejects(containerEnv(pod(c([])), c([{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), facts, objs), { message: 'secret "s" not found' });
  await assert.rejects(containerEnv(pod(c([])), c([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b' } } }]), facts, objs), { message: "couldn't find key b in ConfigMap ns/cfg" });
  const ok = c([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b', optional: true } } }, { name: 'Y', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }], [{ secretRef: { name: 'gone', optional: true } }]);
  assert.deepEqual((await containerEnv(pod(ok), ok, facts, objs)).env, []);
});

test('fieldRef and resourceFieldRef (divisor rounds up; a limit not set is the node allocatable)', async () => {
  const c: ContainerSpec = {
    name: 'app', image: 'x',
    resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m' } },
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'MEM_REQ_MI', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
      { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
    ],
  };
  assert.deepEqual(asMap((await containerEnv(pod(c), c, facts, objects({}))).env), {
    POD: 'p', IP: '10.0.0.9', APP: 'web', CPU_LIMIT: '2', CPU_REQ_M: '250', MEM_REQ_MI: '64', MEM_LIMIT: String(4 * 2 ** 30),
  });
});

test('labels and annotations as a downwardAPI file writes them: sorted key="value" lines, Go-quoted', () => {
  assert.equal(formatMap({ tier: 'f"e', app: 'web' }), 'app="web"\ntier="f\\"e"');
  assert.equal(formatMap(undefined), '');
});
