// The JSON Schemas of every served kind, named as Kubernetes names them in its OpenAPI documents
// (io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta...). References between them are
// `{"$ref": "#/components/schemas/NAME"}`; the OpenAPI documents, validation, pruning and strategic merge patch all
// read this one set.
import { KINDS, type KindInfo } from '../kinds.js';
import { admissionregistrationFieldNumbers, admissionregistrationSchemas } from './admissionregistration.js';
import { apiextensionsFieldNumbers, apiextensionsSchemas } from './apiextensions.js';
import { appsFieldNumbers, appsSchemas } from './apps.js';
import { daemonSetFieldNumbers, daemonSetSchemas } from './apps-daemonset.js';
import { authenticationFieldNumbers, authenticationSchemas } from './authentication.js';
import { autoscalingFieldNumbers, autoscalingSchemas } from './autoscaling.js';
import { selfSubjectReviewSchemas, authorizationFieldNumbers, authorizationSchemas } from './authorization.js';
import { statefulSetFieldNumbers, statefulSetSchemas } from './apps-statefulset.js';
import { batchFieldNumbers, batchSchemas } from './batch.js';
import { certificatesFieldNumbers, certificatesSchemas } from './certificates.js';
import { containerSchemas } from './core-container.js';
import { corePolicyFieldNumbers, corePolicySchemas } from './core-policy.js';
import { podSchemas } from './core-pod.js';
import { serviceSchemas } from './core-service.js';
import { statusSchemas } from './core-status.js';
import { discoverySchemas } from './discovery.js';
import { discoveryFieldNumbers, discoveryV1Schemas } from './discovery-v1.js';
import { volumeSchemas } from './core-volume.js';
import { storageFieldNumbers, storageSchemas } from './core-storage.js';
import { REF_PREFIX, arr, gvk, metaRef, obj, ref, typeMeta, type Schema } from './dsl.js';
import { metaSchemas } from './meta.js';
import { networkingFieldNumbers, networkingSchemas } from './networking.js';
import { policyFieldNumbers, policySchemas } from './policy.js';
import { rbacFieldNumbers, rbacSchemas } from './rbac.js';

export * from './dsl.js';

/** Package part of a schema name: '' -> core, apps -> apps, coordination.k8s.io -> coordination. */
function packageOf(group: string): string {
  return group === '' ? 'core' : group.split('.')[0];
}

/** Name of the schema of a kind, e.g. `io.k8s.api.apps.v1.Deployment`. */
export function schemaNameFor(kind: Pick<KindInfo, 'group' | 'version' | 'kind'>): string {
  return `io.k8s.api.${packageOf(kind.group)}.${kind.version}.${kind.kind}`;
}

/** Name of the schema of a kind's list, e.g. `io.k8s.api.apps.v1.DeploymentList`. */
export function listSchemaNameFor(kind: Pick<KindInfo, 'group' | 'version' | 'kind'>): string {
  return `${schemaNameFor(kind)}List`;
}

/** Name of the autoscaling/v1 Scale schema (the /scale subresource). */
export const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';
/** Name of the core/v1 Binding schema (the pods/binding subresource). */
export const BINDING_SCHEMA = 'io.k8s.api.core.v1.Binding';
export const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const WATCH_EVENT_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
export const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

function listSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const k of KINDS) {
    if (k.createOnly) continue;
    out[listSchemaNameFor(k)] = obj(`A list of ${k.kind} objects.`, {
      ...typeMeta(),
      items: arr(ref(schemaNameFor(k)), `The ${k.kind} objects.`, null),
      metadata: metaRef('ListMeta', 'Standard list metadata.'),
    }, { required: ['items'], extra: { 'x-kubernetes-group-version-kind': [gvk(k.group, k.version, `${k.kind}List`)] } });
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/**
 * The protobuf field numbers kept beside their schemas (proto package -> table text); apiserver/protobuf/numbers.ts
 * holds the rest and merges these in.
 */
export const schemaFieldNumbers: Readonly<Record<string, string>> = mergeNumbers(
  appsFieldNumbers, { 'k8s.io.api.apps.v1': daemonSetFieldNumbers }, statefulSetFieldNumbers, discoveryFieldNumbers, batchFieldNumbers, storageFieldNumbers,
  policyFieldNumbers, autoscalingFieldNumbers, corePolicyFieldNumbers, authenticationFieldNumbers, rbacFieldNumbers, authorizationFieldNumbers,
  apiextensionsFieldNumbers, networkingFieldNumbers, certificatesFieldNumbers, admissionregistrationFieldNumbers,
);

/** Tables of one proto package from several files are joined (each file keeps the numbers of its own types). */
function mergeNumbers(...tables: Array<Readonly<Record<string, string>>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tables) for (const [pkg, text] of Object.entries(t)) out[pkg] = (out[pkg] ?? '') + text;
  return out;
}

let cache: Readonly<Record<string, Schema>> | undefined;

/** Every named schema, keyed by name. The result is shared and frozen: copy before changing it. */
export function components(): Readonly<Record<string, Schema>> {
  if (!cache) {
    const all: Record<string, Schema> = {
      ...metaSchemas, ...discoverySchemas, ...containerSchemas, ...volumeSchemas, ...podSchemas, ...statusSchemas, ...serviceSchemas, ...discoveryV1Schemas,
      ...appsSchemas, ...daemonSetSchemas, ...statefulSetSchemas, ...storageSchemas, ...batchSchemas, ...policySchemas,
      ...autoscalingSchemas, ...corePolicySchemas,
      ...authenticationSchemas, ...rbacSchemas, ...apiextensionsSchemas, ...networkingSchemas,
      ...authorizationSchemas, ...selfSubjectReviewSchemas, ...certificatesSchemas, ...admissionregistrationSchemas, ...listSchemas(),
    };
    const sorted: Record<string, Schema> = {};
    for (const name of Object.keys(all).sort()) sorted[name] = all[name];
    cache = deepFreeze(sorted);
  }
  return cache;
}

/** The schema a `$ref` points at, if it is one of ours. */
export function resolveRef(refString: string): Schema | undefined {
  return refString.startsWith(REF_PREFIX) ? components()[refString.slice(REF_PREFIX.length)] : undefined;
}

/** Names of every schema reachable from the given ones (themselves included), in a stable order. */
export function reachableSchemas(roots: string[]): string[] {
  const all = components();
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) visitName(value.slice(REF_PREFIX.length));
        else visit(value);
      }
    }
  };
  const visitName = (name: string): void => {
    if (seen.has(name) || !all[name]) return;
    seen.add(name);
    visit(all[name]);
  };
  roots.forEach(visitName);
  return [...seen].sort();
}
