// ServiceAccount admission on pod create: the default ServiceAccount, the kube-api-access volume and its mounts,
// automountServiceAccountToken on the pod and on the ServiceAccount, imagePullSecrets, a missing ServiceAccount,
// the default one waited for, mirror pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import { admitPod, TOKEN_MOUNT_PATH, type ServiceAccountAdmissionDeps } from './service-account.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function deps(accounts: Record<string, Json>, o: { missingFor?: number } = {}): ServiceAccountAdmissionDeps & { lookups: number } {
  let misses = o.missingFor ?? 0;
  const d = {
    lookups: 0,
    async getServiceAccount(namespace: string, name: string) {
      d.lookups++;
      if (misses > 0) {
        misses--;
        return undefined;
      }
      const sa = accounts[name];
      return sa ? ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace }, ...sa } as KubeObject) : undefined;
    },
    suffix: () => 'abcde',
    sleep: async () => undefined,
  };
  return d;
}

const pod = (spec: Json, meta: Json = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', ...meta },
  spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } as KubeObject);
const spec = (p: KubeObject) => p.spec as Json;

test('a pod runs as default and gets the kube-api-access volume mounted read-only in every container and init container', async () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'i' }], containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] });
  await admitPod(deps({ default: {} }), p);
  const s = spec(p);
  assert.equal(s.serviceAccountName, 'default');
  assert.deepEqual(s.volumes, [{ name: 'kube-api-access-abcde', projected: { defaultMode: 0o644, sources: [
    { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ] } }]);
  const mount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: TOKEN_MOUNT_PATH };
  assert.deepEqual(s.initContainers[0].volumeMounts, [mount]);
  assert.deepEqual(s.containers[0].volumeMounts, [mount]);
  assert.deepEqual(s.containers[1].volumeMounts, [{ name: 'data', mountPath: '/data' }, mount]);
});

test('a container with its own mount at the token path keeps it; with every container so, no volume is added', async () => {
  const own = { name: 'mine', mountPath: TOKEN_MOUNT_PATH };
  const p = pod({ volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'a', image: 'i', volumeMounts: [own] }] });
  await admitPod(deps({ default: {} }), p);
  assert.deepEqual(spec(p).volumes, [{ name: 'mine', emptyDir: {} }]);
  assert.deepEqual(spec(p).containers[0].volumeMounts, [own]);
  const q = pod({ containers: [{ name: 'a', image: 'i', volumeMounts: [own] }, { name: 'b', image: 'i' }] });
  await admitPod(deps({ default: {} }), q);
  assert.deepEqual(spec(q).containers[0].volumeMounts, [own]);
  assert.equal(spec(q).containers[1].volumeMounts[0].name, 'kube-api-access-abcde');
  assert.equal(spec(q).volumes.length, 1);
});

test('automountServiceAccountToken: false on the pod or on its ServiceAccount mounts nothing; the pod\'s word wins', async () => {
  const p = pod({ automountServiceAccountToken: false });
  await admitPod(deps({ default: {} }), p);
  assert.equal(spec(p).volumes, undefined);
  assert.equal(spec(p).containers[0].volumeMounts, undefined);
  const q = pod({ serviceAccountName: 'quiet' });
  await admitPod(deps({ quiet: { automountServiceAccountToken: false } }), q);
  assert.equal(spec(q).volumes, undefined);
  const r = pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true });
  await admitPod(deps({ quiet: { automountServiceAccountToken: false } }), r);
  assert.equal(spec(r).volumes.length, 1);
});

test('the ServiceAccount\'s imagePullSecrets go to a pod that has none', async () => {
  const p = pod({ serviceAccountName: 'puller' });
  await admitPod(deps({ puller: { imagePullSecrets: [{ name: 'reg' }] } }), p);
  assert.deepEqual(spec(p).imagePullSecrets, [{ name: 'reg' }]);
  const q = pod({ serviceAccountName: 'puller', imagePullSecrets: [{ name: 'own' }] });
  await admitPod(deps({ puller: { imagePullSecrets: [{ name: 'reg' }] } }), q);
  assert.deepEqual(spec(q).imagePullSecrets, [{ name: 'own' }]);
});

test('a pod naming a missing ServiceAccount is refused with Kubernetes\' message; the default one is waited for a while', async () => {
  const d = deps({});
  await assert.rejects(admitPod(d, pod({ serviceAccountName: 'ghost' })), (e: ApiError) => e.code === 403
    && e.message === 'pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found');
  assert.equal(d.lookups, 1);
  const slow = deps({ default: {} }, { missingFor: 3 });
  await admitPod(slow, pod({}));
  assert.equal(slow.lookups, 4, 'the default ServiceAccount, not made yet by its controller, is looked for again');
  const never = deps({});
  await assert.rejects(admitPod(never, pod({})), /serviceaccount "default" not found/);
  assert.equal(never.lookups, 10);
});

test('the deprecated serviceAccount field names the ServiceAccount when serviceAccountName is unset', async () => {
  const p = pod({ serviceAccount: 'legacy' });
  await admitPod(deps({ legacy: {} }), p);
  assert.equal(spec(p).serviceAccountName, 'legacy');
});

test('mirror pods get no ServiceAccount and may reference none, nor Secrets or ConfigMaps', async () => {
  const mirror = { annotations: { 'kubernetes.io/config.mirror': 'hash' } };
  const p = pod({}, mirror);
  const d = deps({});
  await admitPod(d, p);
  assert.equal(spec(p).serviceAccountName, undefined);
  assert.equal(d.lookups, 0);
  await assert.rejects(admitPod(d, pod({ serviceAccountName: 'x' }, mirror)), /a mirror pod may not reference service accounts/);
  await assert.rejects(admitPod(d, pod({ volumes: [{ name: 's', secret: { secretName: 's' } }] }, mirror)), /a mirror pod may not reference secrets/);
  await assert.rejects(admitPod(d, pod({ volumes: [{ name: 'c', configMap: { name: 'c' } }] }, mirror)), /a mirror pod may not reference configmaps/);
});

test('a malformed pod is left to validation', async () => {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: 'nonsense' } as unknown as KubeObject;
  await admitPod(deps({}), p);
  assert.equal(p.spec, 'nonsense');
});
