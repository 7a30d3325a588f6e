// A kind's definition: everything particular to one kind, as a Kubernetes strategy.go plus its storage.go
// (defaulting, create and update checks, status and subresource rules, generation, table columns, selectable fields,
// deletion hooks). One file per kind under kinds/ makes one with defineKind(); the generic store, the HTTP layer,
// discovery, OpenAPI and the printers only read definitions. A CustomResourceDefinition becomes a generated one.
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { schemaNameFor } from '../../lib/api/schema/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { DEFAULT_PRINTER, type Printer } from '../printers/columns.js';
import type { FieldCause, Obj } from '../validation/field.js';
import type { MetaOptions } from '../validation/meta.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GroupVersionKind, Schema } from '../../lib/api/schema/index.js';
import type { ObjectStore, WriteContext } from './types.js';
import type { ServiceAllocator } from './allocator/service.js';
import type { WebhookAdmission } from '../admission/webhook/index.js';

/** One request to a subresource, decoded as far as the HTTP layer can without knowing the subresource. */
export interface SubresourceCall {
  readonly def: KindDefinition;
  readonly store: ObjectStore;
  readonly ctx: WriteContext;
  /** The HTTP method. */
  readonly method: string;
  readonly name: string;
  readonly query: URLSearchParams;
  /** Every kind's store, for subresources that read other kinds (a pod's log reads its node). */
  readonly stores: ReadonlyMap<KindInfo, ObjectStore>;
  /** The response, for subresources that stream (logs). */
  readonly res: ServerResponse;
  /** The request's object; `strict`: its repeated keys are reported per the write's fieldValidation. */
  body(strict?: boolean): Promise<KubeObject>;
  /** The request's patch, as a function applying it to an object of the kind (or of the named schema). */
  patch(opts?: { strict?: boolean; schema?: string }): Promise<(current: KubeObject) => KubeObject>;
  /** Answers with an object of the kind (a Table when asked for one), with the write's warnings. */
  sendObject(code: number, obj: KubeObject): void;
  /** Answers with another body (a Scale, a Status), in the negotiated format. */
  sendJson(code: number, body: unknown): void;
}

/** An upgraded connection to a subresource (pods/exec), handed over once authenticated and authorized. */
export interface SubresourceUpgrade {
  /** Every kind's store, for subresources that read other kinds (exec reads the pod's node). */
  readonly stores: ReadonlyMap<KindInfo, ObjectStore>;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  /** The raw socket: the subresource answers on it, refusals included (as a Status in an HTTP response). */
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** What a subresource (/<resource>/<name>/<sub>) is and serves, as Kubernetes' StatusREST, ScaleREST, BindingREST... */
export interface SubresourceDefinition {
  /** The kind its requests and answers carry, for discovery and OpenAPI; the resource's own kind when unset. */
  readonly kind?: GroupVersionKind;
  /** Its schema in OpenAPI (the resource's own when unset). */
  readonly schema?: string;
  /** false leaves it out of OpenAPI (proxies such as log and exec). */
  readonly documented?: boolean;
  /** The verbs discovery lists for it. */
  readonly verbs: readonly string[];
  /** Serves a plain HTTP request. */
  serve(call: SubresourceCall): Promise<void>;
  /** Serves an upgraded connection (exec relays it, SPDY or WebSocket, to the node); unset: upgrades are refused. */
  upgrade?(u: SubresourceUpgrade): Promise<void>;
}

export interface StrategyContext {
  /** Lists objects of another kind from the watch cache. */
  listCached(resource: string): KubeObject[];
  /** The cluster IP and node port ranges (--service-cluster-ip-range, --service-node-port-range), in etcd. */
  readonly serviceAllocator?: ServiceAllocator;
  /**
   * Mutating admission of a create (the ServiceAccount plugin on pods): runs once the name and namespace are known,
   * before prepareForCreate and validation, dry runs included; may change the object or refuse it.
   */
  admitCreate?(kind: KindInfo, obj: KubeObject): Promise<void>;
  /** Validating admission of a create (ResourceQuota): once it passed every check, before it is stored; may refuse it. */
  validateCreate?(kind: KindInfo, obj: KubeObject, dryRun: boolean): Promise<void>;
  /**
   * Admission webhooks, on creates, updates and deletes from API requests (WriteContext.access set): `mutate` after
   * the built-in mutating plugins, before the object is checked; `validate` once it passed its checks, before
   * validateCreate (ResourceQuota is last).
   */
  webhooks?: Pick<WebhookAdmission, 'mutate' | 'validate'>;
}

/** What an allocation took for one write: commit() once the write is stored, revert() when it is not. */
export interface AllocationTxn {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

/** The field labels a kind can be selected by (`?fieldSelector=`), beyond metadata.name and metadata.namespace. */
export interface SelectableFields {
  /** Every field label the kind supports with its value for one object (a missing field is ''). */
  values(obj: KubeObject): Record<string, string>;
  /** Legacy labels accepted and read as another (`spec.host` for `spec.nodeName`). */
  aliases?: Readonly<Record<string, string>>;
}

/**
 * The schema of a kind not in lib/api/schema (a custom resource, from its CRD): what its writes are pruned, defaulted
 * and checked with in place of the built-in schemas, and the named schemas OpenAPI publishes for it.
 */
export interface OwnSchema {
  /** Drops undeclared fields; returns their paths (`spec.foo`) for fieldValidation. */
  prune(obj: KubeObject): string[];
  default(obj: KubeObject): void;
  /** One cause per bad field; `old`: the stored object, on updates (CEL transition rules). */
  validate(obj: Obj, old?: Obj): FieldCause[];
  /** The kind's schema and its list's, by name (the kind's is KindDefinition.schema). */
  readonly schemas: Readonly<Record<string, Schema>>;
  readonly listSchema: string;
}

/**
 * A version served from the objects of another (autoscaling/v1 HorizontalPodAutoscalers are stored as v2): every
 * read converts from the stored version, every write to it, so both versions see the same objects.
 */
export interface VersionConversion {
  /** The version the objects are stored as; its kind must be registered before this one. */
  readonly storage: KindInfo;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/** What a kind file declares; everything is optional and falls back to what a plain kind (a ConfigMap) does. */
export interface KindSpec {
  /** metadata.generation starts at 1 and bumps whenever anything outside metadata and status changes. */
  generation?: boolean;
  /** Is the object created when a PUT names one that doesn't exist? */
  allowCreateOnUpdate?: boolean;
  /** The collection can be deleted in one request (namespaces can't). */
  deleteCollection?: boolean;
  /** How metadata is checked: the name rule and whether bare finalizer names must be standard ones; null: not at all. */
  objectMeta?: Partial<Omit<MetaOptions, 'namespaced'>> | null;
  /** Kubernetes' defaulting on decode: fills in what the user left out, never changes what is set. */
  defaults?(obj: Obj): void;
  /**
   * Before a create is checked: server-owned fields (status, allocated addresses). `write` names the writer (a
   * CertificateSigningRequest records its requester).
   */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext, write?: WriteContext): void;
  /** Before an update (not a subresource write) is checked: fields kept from the stored object. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /**
   * After a create or an update (not a subresource write) is checked, before it is stored: takes what the object
   * holds of a shared range (a Service's cluster IP and node ports), filling in what the user left out. May refuse
   * (422). With dryRun nothing is taken, only checked and filled in.
   */
  allocate?(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext, dryRun: boolean): Promise<AllocationTxn>;
  /** Gives back what allocate() took, once the object is gone from storage. */
  release?(obj: KubeObject, ctx: StrategyContext): Promise<void>;
  /** The kind's checks on every write, after the schema's (field-level causes). */
  validate?(obj: Obj): FieldCause[];
  /** The checks only updates get: fields that may not change once set. */
  validateUpdate?(obj: Obj, old: Obj): FieldCause[];
  /**
   * After the checks, before a create or an update (not a subresource write) is stored: may refuse the writer (403),
   * as RBAC refuses a role granting more than its writer holds. Writes without ctx.access (the server's own) pass.
   */
  authorizeWrite?(obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void>;
  /**
   * The kind is never stored (its identity says createOnly): a create is checked, then answered with what this
   * returns (an access review with its status filled in). It is the kind's only verb.
   */
  createOnly?(obj: KubeObject, ctx: WriteContext): Promise<KubeObject>;
  /** Table columns (kubectl get). */
  printer?: Printer;
  selectableFields?: SelectableFields;
  /** What each subresource named in the kind's identity does (names not in the identity are not served). */
  subresources?: Record<string, SubresourceDefinition>;
  /**
   * Grace period for a graceful delete: undefined deletes at once (after finalizers), a number keeps the object
   * with a deletionTimestamp that far in the future until its owner (e.g. the node agent) deletes it with grace 0.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
  /** Called when a delete is requested; may mark the object and keep it (a namespace turns Terminating). */
  beginDelete?(obj: KubeObject): boolean;
  /** Beyond metadata.finalizers, is the object ready to go once deleted? (a namespace waits for spec.finalizers) */
  isFinalized?(obj: KubeObject): boolean;
  /** A schema of its own (custom resources); with it, `schema` names the kind's schema in it. */
  ownSchema?: OwnSchema;
  schema?: string;
  /** Served from the objects of another version of the kind (see VersionConversion). */
  convert?: VersionConversion;
}

export interface KindDefinition extends Required<Omit<KindSpec, 'selectableFields' | 'gracePeriod' | 'beginDelete' | 'objectMeta' | 'allocate' | 'release' | 'authorizeWrite' | 'createOnly' | 'ownSchema' | 'schema' | 'convert'>> {
  /** Who the kind is (lib/api/kinds.ts): what clients know of it too. */
  readonly info: KindInfo;
  /** The name of its schema in lib/api/schema. */
  readonly schema: string;
  readonly objectMeta: MetaOptions | null;
  readonly selectableFields?: SelectableFields;
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
  beginDelete?(obj: KubeObject): boolean;
  allocate?(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext, dryRun: boolean): Promise<AllocationTxn>;
  release?(obj: KubeObject, ctx: StrategyContext): Promise<void>;
  authorizeWrite?(obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void>;
  createOnly?(obj: KubeObject, ctx: WriteContext): Promise<KubeObject>;
  readonly ownSchema?: OwnSchema;
  readonly convert?: VersionConversion;
  /** The served subresources, in the identity's order. */
  readonly subresources: Readonly<Record<string, SubresourceDefinition>>;
}

/** A built-in kind's identity, by apiVersion and kind; a kind file names the kind it defines with it. */
export function identity(apiVersion: string, kind: string): KindInfo {
  const info = findByKind(apiVersion, kind);
  if (!info) throw new Error(`${apiVersion} ${kind} is not in lib/api/kinds.ts: add its identity there`);
  return info;
}

const none = (): FieldCause[] => [];

export function defineKind(info: KindInfo, spec: KindSpec = {}): KindDefinition {
  const subresources: Record<string, SubresourceDefinition> = {};
  for (const name of info.subresources) {
    const sub = spec.subresources?.[name];
    if (!sub) throw new Error(`${info.resource}/${name} is named in the kind's identity but its kind file does not define it`);
    subresources[name] = sub;
  }
  const meta = spec.objectMeta;
  if (!!info.createOnly !== !!spec.createOnly) throw new Error(`${info.kind}: createOnly in its identity and its kind file go together`);
  return {
    info,
    schema: spec.schema ?? schemaNameFor(info),
    ownSchema: spec.ownSchema,
    generation: spec.generation ?? false,
    allowCreateOnUpdate: spec.allowCreateOnUpdate ?? false,
    deleteCollection: spec.deleteCollection ?? true,
    objectMeta: meta === null ? null : { namespaced: info.namespaced, nameCheck: meta?.nameCheck ?? nameIsDNSSubdomain,
      kubeFinalizers: meta?.kubeFinalizers ?? true },
    defaults: spec.defaults ?? (() => undefined),
    prepareForCreate: spec.prepareForCreate ?? (() => undefined),
    prepareForUpdate: spec.prepareForUpdate ?? (() => undefined),
    validate: spec.validate ?? none,
    validateUpdate: spec.validateUpdate ?? none,
    printer: spec.printer ?? DEFAULT_PRINTER,
    selectableFields: spec.selectableFields,
    subresources,
    gracePeriod: spec.gracePeriod,
    beginDelete: spec.beginDelete,
    allocate: spec.allocate,
    release: spec.release,
    authorizeWrite: spec.authorizeWrite,
    createOnly: spec.createOnly,
    convert: spec.convert,
    isFinalized: spec.isFinalized ?? (() => true),
  };
}

/** The verbs a resource serves on itself (not its subresources), as discovery lists them. */
export function verbsOf(def: Pick<KindDefinition, 'deleteCollection' | 'createOnly'>): readonly string[] {
  if (def.createOnly) return ['create'];
  return def.deleteCollection ? ALL_VERBS : ALL_VERBS.filter((v) => v !== 'deletecollection');
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
