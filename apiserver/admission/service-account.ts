// ServiceAccount admission, on pod create (Kubernetes' ServiceAccount plugin): the pod runs as spec.serviceAccountName,
// `default` when unset, which must exist (the `default` one is looked for a little longer: the controller that makes
// it may not have yet, in a namespace made a moment ago). Unless automountServiceAccountToken is false on the pod (or,
// when the pod doesn't say, on its ServiceAccount), the pod gets the projected volume kube-api-access-<5 chars>: a
// token bound to the pod (3607 s, refreshed by the node agent), the cluster CA (the kube-root-ca.crt ConfigMap) and
// its namespace, mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container and init
// container that has no mount there of its own. A pod without imagePullSecrets gets its ServiceAccount's.
// Mirror pods (static pods a node agent reports) may name no ServiceAccount, Secret or ConfigMap and get nothing.
import { randomInt } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors } from '../errors.js';
import { asObj, isObj, objects, type Obj } from '../validation/field.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Kubernetes' alphabet for generated name suffixes: no vowels (no words), no look-alikes. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const randomSuffix = (): string => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export interface ServiceAccountAdmissionDeps {
  /** The ServiceAccount, read consistently; undefined when there is none. */
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  suffix?: () => string;
  sleep?: (ms: number) => Promise<void>;
}

/** Tries for the `default` ServiceAccount (Kubernetes: 10, 100-200 ms apart); 1 for any other. */
const DEFAULT_ATTEMPTS = 10;

function forbidden(pod: KubeObject, message: string): ApiError {
  const name = pod.metadata?.name ?? '';
  return errors.forbidden(`pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
}

async function lookUp(d: ServiceAccountAdmissionDeps, namespace: string, name: string): Promise<KubeObject | undefined> {
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ATTEMPTS : 1;
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let i = 0; i < attempts; i++) {
    if (i) await sleep(100 + randomInt(100));
    const sa = await d.getServiceAccount(namespace, name);
    if (sa) return sa;
  }
  return undefined;
}

function mirrorPodChecks(pod: KubeObject, spec: Obj): void {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) throw forbidden(pod, 'a mirror pod may not reference service accounts');
  for (const [v] of objects(spec.volumes)) {
    if (isObj(v.secret)) throw forbidden(pod, 'a mirror pod may not reference secrets');
    if (isObj(v.configMap)) throw forbidden(pod, 'a mirror pod may not reference configmaps');
    for (const [s] of objects(asObj(v.projected)?.sources)) {
      if (isObj(s.secret)) throw forbidden(pod, 'a mirror pod may not reference secrets');
      if (isObj(s.configMap)) throw forbidden(pod, 'a mirror pod may not reference configmaps');
      if (isObj(s.serviceAccountToken)) throw forbidden(pod, 'a mirror pod may not use ServiceAccountToken volume projections');
    }
  }
}

function tokenVolume(name: string): Obj {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Mounts the token volume in every container with no mount at the token path; the volume is added if one did. */
function mountToken(spec: Obj, suffix: () => string): void {
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : [];
  const existing = volumes.find((v): v is Obj => isObj(v) && typeof v.name === 'string' && v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const names = new Set(volumes.map((v) => (isObj(v) ? v.name : undefined)));
  let name = existing?.name as string | undefined;
  while (!name || (!existing && names.has(name))) name = TOKEN_VOLUME_PREFIX + suffix();
  let needed = false;
  for (const field of ['initContainers', 'containers']) {
    for (const [c] of objects(spec[field])) {
      const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as unknown[]) : [];
      if (mounts.some((m) => isObj(m) && m.mountPath === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !existing) spec.volumes = [...volumes, tokenVolume(name)];
}

/** Admits a pod being created (see above); the pod is changed in place. A malformed pod is left to validation. */
export async function admitPod(d: ServiceAccountAdmissionDeps, pod: KubeObject): Promise<void> {
  const spec = asObj(pod.spec);
  if (!spec) return;
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) {
    mirrorPodChecks(pod, spec);
    return;
  }
  if (spec.serviceAccountName === undefined || spec.serviceAccountName === '') {
    spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : DEFAULT_SERVICE_ACCOUNT;
  }
  if (typeof spec.serviceAccountName !== 'string') return;
  const namespace = pod.metadata?.namespace as string;
  const name = spec.serviceAccountName;
  const sa = await lookUp(d, namespace, name);
  if (!sa) throw forbidden(pod, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  const automount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken
    : typeof sa.automountServiceAccountToken === 'boolean' ? sa.automountServiceAccountToken : true;
  if (automount) mountToken(spec, d.suffix ?? randomSuffix);
  const pull = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
  if (!pull.length && Array.isArray(sa.imagePullSecrets) && sa.imagePullSecrets.length) {
    spec.imagePullSecrets = (sa.imagePullSecrets as unknown[]).filter(isObj).map((r) => ({ name: r.name }));
  }
}
