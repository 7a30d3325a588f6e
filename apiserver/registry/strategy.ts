// What a kind contributes to the generic store: how to prepare objects on create and update, extra validation,
// and how deletion behaves. Everything else (storage, concurrency, selectors, watch) is generic.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, StatusCause } from '../../lib/api/types.js';

export interface StrategyContext {
  /** Lists objects of another kind from the watch cache (e.g. services, to pick a free cluster IP). */
  listCached(resource: string): KubeObject[];
}

export interface Strategy {
  kind: KindInfo;
  /** Has a /status subresource: main writes keep the stored status, /status writes change only status. */
  statusSubresource: boolean;
  /** metadata.generation starts at 1 and bumps whenever anything outside metadata and status changes. */
  generation: boolean;
  /** Is the object created when PUT names one that doesn't exist? */
  allowCreateOnUpdate?: boolean;
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Extra checks beyond the schema (field-level causes). */
  validate?(obj: KubeObject, old?: KubeObject): StatusCause[];
  /**
   * Grace period for a graceful delete: undefined deletes at once (after finalizers), a number keeps the object
   * with a deletionTimestamp that far in the future until its owner (e.g. the node agent) deletes it with grace 0.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
  /** Called when a delete is requested; may mark the object as terminating instead (namespaces). */
  beginDelete?(obj: KubeObject): boolean;
}

export function simpleStrategy(kind: KindInfo, extra: Partial<Strategy> = {}): Strategy {
  return { kind, statusSubresource: false, generation: false, ...extra };
}
