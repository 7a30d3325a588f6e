// What the generic store and the watch cache need from storage, so neither depends on etcd itself: etcd.ts is the
// implementation the server runs on, memory.ts the one unit tests run the store and the cache on.
import type { KubeObject } from '../../lib/api/types.js';

export interface Stored {
  key: string;
  obj: KubeObject;
  rev: number;
  /** Stored under a key (or in the clear) that the encryption config no longer writes with: rewrite it. */
  stale?: boolean;
}

export type WriteResult = { ok: true; rev: number; obj: KubeObject } | { ok: false; current?: Stored };

export interface RawEvent {
  type: 'put' | 'delete';
  key: string;
  rev: number;
  obj?: KubeObject; // for put
  prev?: KubeObject; // for delete (and put, when known)
}

/**
 * One watch response: its events (in revision order) and the revision they bring the watcher up to. When fragment
 * is true more events of the last event's revision follow in the next response, so only the revisions before it
 * are complete.
 */
export type WatchBatch = (events: RawEvent[], revision: number, fragment: boolean) => void;

/** An open storage watch. */
export interface StorageWatch {
  cancel(): Promise<void>;
}

/**
 * Objects under keys, each with the revision of its last write. Every write is conditional (create only if absent,
 * update and delete only at an expected revision), so concurrent writers never overwrite each other unseen.
 */
export interface Storage {
  get(key: string): Promise<Stored | undefined>;
  /** The latest revision of the whole store (a consistent read waits for the cache to reach it). */
  currentRevision(): Promise<number>;
  /** One page of a key prefix, optionally at an old revision and from a start key; `more` says whether keys follow. */
  list(prefix: string, opts?: { revision?: number; startKey?: string; limit?: number }): Promise<{ items: Stored[]; revision: number; more: boolean }>;
  /** Every object under a prefix at one revision, page by page. */
  pages(prefix: string, revision: number, pageSize?: number): AsyncGenerator<Stored[]>;
  /** True when revision rev has been compacted away (a watch from it can't start). */
  compactedPast(rev: number): Promise<boolean>;
  create(key: string, obj: KubeObject): Promise<WriteResult>;
  /** Writes obj only if the key's revision is still expectedRev. */
  update(key: string, obj: KubeObject, expectedRev: number): Promise<WriteResult>;
  delete(key: string, expectedRev: number): Promise<WriteResult>;
  /** Events under a prefix from a revision on, in revision order. */
  watch(prefix: string, fromRev: number, onEvents: WatchBatch, onError: (e: Error) => void, onConnection?: (up: boolean) => void): Promise<StorageWatch>;
}
