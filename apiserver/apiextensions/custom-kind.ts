// A CustomResourceDefinition becomes kinds the same way a built-in kind is one: a KindDefinition per served version
// (defineKind), with its identity from spec.names and spec.scope, its schema from the version's openAPIV3Schema
// (pruning, defaulting, validation: object-schema.ts; published in OpenAPI as <reversed group>.<version>.<Kind>),
// its table from additionalPrinterColumns, and the status and scale subresources the version declares.
import type { KindInfo } from '../../lib/api/kinds.js';
import { META, REF_PREFIX, type Schema } from '../../lib/api/schema/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import { defineKind, type KindDefinition, type SubresourceDefinition } from '../registry/kind.js';
import { scaleSubresource, statusSubresource } from '../registry/subresources.js';
import { asArr, asObj, asStr } from '../validation/field.js';
import { customPrinter, type ColumnDefinition } from './columns.js';
import { ObjectSchema, type SchemaNode } from './object-schema.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** What this server reads of a CRD, once its validation has passed and its defaults are in. */
export interface CrdSpec {
  name: string;
  group: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  versions: Array<{
    name: string;
    served: boolean;
    storage: boolean;
    schema: SchemaNode;
    columns: ColumnDefinition[];
    status: boolean;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  }>;
}

export function readCrd(crd: KubeObject): CrdSpec {
  const spec = asObj(crd.spec) ?? {};
  // the names served are the accepted ones (status.acceptedNames), as Kubernetes serves them
  const names = { ...(asObj(spec.names) ?? {}), ...(asObj(asObj(crd.status)?.acceptedNames) ?? {}) };
  const kind = asStr(names.kind);
  return {
    name: asStr(crd.metadata.name),
    group: asStr(spec.group),
    plural: asStr(names.plural),
    singular: asStr(names.singular) || kind.toLowerCase(),
    kind,
    listKind: asStr(names.listKind) || `${kind}List`,
    shortNames: asArr(names.shortNames).map(String),
    categories: asArr(names.categories).map(String),
    namespaced: spec.scope !== 'Cluster',
    versions: asArr(spec.versions).map((raw) => {
      const v = asObj(raw) ?? {};
      const subs = asObj(v.subresources) ?? {};
      const scale = asObj(subs.scale);
      return {
        name: asStr(v.name),
        served: v.served === true,
        storage: v.storage === true,
        schema: (asObj(asObj(v.schema)?.openAPIV3Schema) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as SchemaNode,
        columns: asArr(v.additionalPrinterColumns).map((c) => c as ColumnDefinition),
        status: asObj(subs.status) !== undefined,
        scale: scale ? { specReplicasPath: asStr(scale.specReplicasPath), statusReplicasPath: asStr(scale.statusReplicasPath),
          labelSelectorPath: asStr(scale.labelSelectorPath) || undefined } : undefined,
      };
    }),
  };
}

export function storageVersionOf(crd: CrdSpec): string {
  return crd.versions.find((v) => v.storage)?.name ?? crd.versions[0]?.name ?? '';
}

/** `example.com` + v1 + Website -> `com.example.v1.Website`, as Kubernetes names a custom resource's schema. */
export function schemaNameOf(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The kind's schema as OpenAPI publishes it: the version's schema with TypeMeta and ObjectMeta, tagged with its GVK. */
function publishedSchemas(crd: CrdSpec, version: string, schema: SchemaNode): { schemas: Record<string, Schema>; name: string; list: string } {
  const name = schemaNameOf(crd.group, version, crd.kind);
  const list = schemaNameOf(crd.group, version, crd.listKind);
  const own = structuredClone(schema) as Schema;
  own.properties = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { $ref: REF_PREFIX + META + 'ObjectMeta', description: 'Standard object\'s metadata.' },
    ...(own.properties ?? {}),
  };
  own.properties.metadata = { $ref: REF_PREFIX + META + 'ObjectMeta', description: 'Standard object\'s metadata.' };
  own.type = 'object';
  own['x-kubernetes-group-version-kind'] = [{ group: crd.group, version, kind: crd.kind }];
  const listSchema: Schema = {
    description: `${crd.listKind} is a list of ${crd.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      items: { type: 'array', description: `List of ${crd.plural}.`, items: { $ref: REF_PREFIX + name } },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: REF_PREFIX + META + 'ListMeta', description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: crd.group, version, kind: crd.listKind }],
  };
  return { schemas: { [name]: own, [list]: listSchema }, name, list };
}

/**
 * One KindDefinition per served version of the CRD. `terminating`: the CRD is being deleted, and creates are refused
 * (Kubernetes' 405) while its objects are deleted.
 */
export function definitionsFor(crd: CrdSpec, terminating: () => boolean = () => false): KindDefinition[] {
  const out: KindDefinition[] = [];
  for (const v of crd.versions) {
    if (!v.served) continue;
    const subresourceNames = [...(v.status ? ['status'] : []), ...(v.scale ? ['scale'] : [])];
    const info: KindInfo = { group: crd.group, version: v.name, kind: crd.kind, resource: crd.plural, singular: crd.singular, namespaced: crd.namespaced,
      shortNames: crd.shortNames, categories: crd.categories, subresources: subresourceNames };
    const subresources: Record<string, SubresourceDefinition> = {};
    if (v.status) subresources.status = statusSubresource();
    if (v.scale) subresources.scale = scaleSubresource(v.scale);
    const checker = new ObjectSchema(v.schema);
    const published = publishedSchemas(crd, v.name, v.schema);
    out.push(defineKind(info, {
      generation: true,
      objectMeta: { kubeFinalizers: false },
      schema: published.name,
      ownSchema: {
        prune: (obj) => checker.prune(obj),
        default: (obj) => checker.default(obj),
        validate: (obj, old) => checker.validate(obj, old),
        schemas: published.schemas,
        listSchema: published.list,
      },
      prepareForCreate(obj) {
        if (terminating()) throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
        // with a status subresource a create's status is the server's (dropped), as the main resource's updates keep it
        if (v.status) delete obj.status;
      },
      printer: customPrinter(v.columns),
      subresources,
    }));
  }
  return out;
}
