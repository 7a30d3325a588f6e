// The shapes of Kubernetes objects the dashboard reads. Objects are kept loose (any kind, CRDs included); the views
// that know a kind read its fields through these narrow helpers.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  [key: string]: unknown;
}

export interface Status {
  kind: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description?: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata: ObjectMeta };
}

export interface Table {
  kind: 'Table';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions?: TableColumn[];
  rows: TableRow[];
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** `namespace/name`, or `name` for cluster-scoped objects: how collections key their objects. */
export function keyOf(meta: { name: string; namespace?: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}
