// The vocabulary of the generic store's requests (write context, list, watch and delete options, write scopes), kept
// apart from store.ts so the kind definitions, validation and the HTTP layer can name it without importing the store.
import type { KubeObject } from '../../lib/api/types.js';
import type { AccessContext } from '../auth/rbac/escalation.js';
import type { DecodeFindings } from './strict-decoding.js';

/** Which objects a list or watch returns (its label and field selectors). */
export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
  /** No selector at all: lists can report remainingItemCount. */
  isEverything: boolean;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteContext {
  namespace?: string;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings for the response's Warning headers. */
  warnings: string[];
  /** What decoding the request body found (repeated keys), reported with the unknown fields per fieldValidation. */
  decoded?: DecodeFindings;
  /** Who writes and what they may do (escalation checks, access reviews); unset for the server's own writes. */
  access?: AccessContext;
  /** The subresource written through (`status`), for admission webhooks' rules; unset for the resource itself. */
  subresource?: string;
  /** The field manager the write is recorded for in metadata.managedFields; unset for the server's own writes. */
  fieldManager?: FieldManagerContext;
  /**
   * The object given to create was decoded for this request alone and nothing reads it afterwards: the store may
   * build the new object in it instead of a deep copy (a copy was ~2% of the server's CPU in the create benchmark).
   */
  inputOwned?: boolean;
}

/** A write's field manager (the fieldManager parameter, else the User-Agent's product), as server-side apply tracks it. */
export interface FieldManagerContext {
  manager: string;
  /** The API version the request used: Update entries are recorded per version. */
  apiVersion: string;
  /** The subresource written (status, scale), recorded and tracked apart from the main resource's writes. */
  subresource?: string;
  /** A server-side apply: its managedFields were set by the apply itself. */
  applied?: boolean;
}

export interface ListOptions {
  filter: ObjectFilter;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface WatchOptions {
  filter: ObjectFilter;
  resourceVersion?: string;
  /**
   * true: the current state as ADDED events, then a bookmark marked k8s.io/initial-events-end at the snapshot's
   * revision (at least resourceVersion; consistent when it is unset). false: changes only. Unset: the current state
   * first for resourceVersion ""/"0" (no bookmark), changes after resourceVersion otherwise.
   */
  sendInitialEvents?: boolean;
  /**
   * Resolves once the client has taken what was written. Given, the first events (the state, a backlog) are written
   * with back-pressure, however many; without it, a client whose buffer they overflow is ended.
   */
  drain?: () => Promise<void>;
}

/**
 * A write through a subresource (status, binding, finalize): which fields of the new object it stores, the rest kept
 * from the stored one. Such writes never bump the generation nor run the kind's prepareForUpdate.
 */
export interface WriteScope {
  merge(next: KubeObject, old: KubeObject): KubeObject;
  /** Whether the kind's update-only checks (immutable fields) apply, as they do to status writes. */
  updateChecks: boolean;
}

/** What subresources need of a kind's store. */
export interface ObjectStore {
  get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject>;
  /** Read-modify-write under optimistic concurrency; `scope` limits what the write may change. */
  update(ctx: WriteContext, name: string, mutate: (current: KubeObject) => KubeObject, scope?: WriteScope): Promise<{ obj: KubeObject; created: boolean }>;
}
