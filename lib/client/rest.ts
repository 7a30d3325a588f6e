// A typed REST client for the Kubernetes API: one method per verb, keyed by kind, with Status errors turned into
// ApiError so callers can ask isNotFound / isConflict / isAlreadyExists / isGone.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { apiVersionOf, type KindInfo } from '../api/kinds.js';
import type { KubeList, KubeObject, Status } from '../api/types.js';
import type { TypedKind } from './builtin-types.js';
import type { ClientConfig } from './kubeconfig.js';
import { TypedClient } from './typed.js';

export class ApiError extends Error {
  constructor(readonly code: number, readonly status: Status) {
    super(status.message ?? `HTTP ${code}`);
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof ApiError && e.code === 410;

export type PatchType = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT: Record<PatchType, string> = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' };

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Query parameters of a write: dryRun, fieldManager, fieldValidation (kubectl sends all three). */
export interface WriteOptions {
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface RawRequest {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  /** Accept header (default application/json); kubectl asks for Tables with it. */
  accept?: string;
  signal?: AbortSignal;
}

/** The path of a collection or an object: /api/v1/namespaces/NS/pods[/NAME[/SUB]]. */
export function resourcePath(kind: KindInfo, namespace?: string, name?: string, sub?: string): string {
  let p = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  if (kind.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${kind.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

function query(o: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const writeQuery = (o: WriteOptions) => query({ dryRun: o.dryRun, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation });

/** client-go's default: the program's name (here its script's, without the extension), then version and platform. */
const DEFAULT_USER_AGENT = `${basename(process.argv[1] ?? 'node').replace(/\.[cm]?[jt]s$/, '') || 'node'}/v0.1.0 (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch})`;

export class Client {
  private readonly agent: HttpAgent;
  private readonly base: URL;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.server);
    const tls = this.base.protocol === 'https:';
    this.agent = tls
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: config.caData, cert: config.certData, key: config.keyData,
        rejectUnauthorized: !config.insecureSkipTLSVerify, minVersion: 'TLSv1.2' })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /**
   * A client bound to one kind and typed by its objects: `for(DEPLOYMENTS)`, `for(customKind({...}))`, or
   * `for<Website>('sites.example.com', 'v1', 'websites')` (a custom kind's Kind and scope then come from discovery).
   */
  for<T extends KubeObject>(kind: TypedKind<T>): TypedClient<T>;
  for<T extends KubeObject = KubeObject>(group: string, version: string, plural: string, o?: { kind?: string; namespaced?: boolean }): TypedClient<T>;
  for<T extends KubeObject>(a: TypedKind<T> | string, version?: string, plural?: string, o: { kind?: string; namespaced?: boolean } = {}): TypedClient<T> {
    return typeof a === 'string' ? new TypedClient<T>(this, { group: a, version: version as string, plural: plural as string, ...o }) : new TypedClient<T>(this, a);
  }

  /** Opens a request and resolves with the response stream (for watches). */
  stream(r: RawRequest): Promise<IncomingMessage> {
    const url = new URL(r.path, this.base);
    const headers: Record<string, string> = { Accept: r.accept ?? 'application/json', 'User-Agent': this.config.userAgent ?? DEFAULT_USER_AGENT };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    let payload: string | undefined;
    if (r.body !== undefined) {
      payload = JSON.stringify(r.body);
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = doRequest(url, { method: r.method, headers, agent: this.agent, signal: r.signal }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Called with each Warning header the server sends (`299 - "unknown field ..."`), as kubectl prints them. */
  onWarning?: (message: string) => void;

  async request<T>(r: RawRequest): Promise<T> {
    const res = await this.stream(r);
    const warn = res.headers.warning;
    if (warn && this.onWarning) for (const m of String(warn).matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) this.onWarning((m[1] as string).replace(/\\(.)/g, '$1'));
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (code >= 400) {
      const status = (body as Status | undefined)?.kind === 'Status' ? (body as Status) : ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, message: text || `HTTP ${code}` } as Status);
      throw new ApiError(code, status);
    }
    return body as T;
  }

  get<T extends KubeObject = KubeObject>(kind: KindInfo, name: string, o: { namespace?: string } = {}): Promise<T> {
    return this.request({ method: 'GET', path: resourcePath(kind, this.ns(kind, o.namespace), name) });
  }

  list<T extends KubeObject = KubeObject>(kind: KindInfo, o: ListOptions = {}): Promise<KubeList<T>> {
    const ns = o.namespace === '' ? undefined : o.namespace;
    return this.request({ method: 'GET', path: resourcePath(kind, ns) + query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion }) });
  }

  /** Lists every page (limit/continue) into one list. */
  async listAll<T extends KubeObject = KubeObject>(kind: KindInfo, o: ListOptions = {}): Promise<KubeList<T>> {
    const first = await this.list<T>(kind, { limit: 500, ...o });
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list<T>(kind, { limit: 500, ...o, continue: cont });
      first.items.push(...page.items);
      cont = page.metadata.continue;
    }
    delete first.metadata.continue;
    return first;
  }

  create<T extends KubeObject = KubeObject>(kind: KindInfo, obj: T, o: { namespace?: string } & WriteOptions = {}): Promise<T> {
    const body = { apiVersion: apiVersionOf(kind), kind: kind.kind, ...obj };
    return this.request({ method: 'POST', path: resourcePath(kind, this.ns(kind, o.namespace ?? obj.metadata.namespace)) + writeQuery(o), body });
  }

  update<T extends KubeObject = KubeObject>(kind: KindInfo, obj: T, o: WriteOptions = {}): Promise<T> {
    return this.request({ method: 'PUT', path: resourcePath(kind, this.ns(kind, obj.metadata.namespace), obj.metadata.name) + writeQuery(o), body: { apiVersion: apiVersionOf(kind), kind: kind.kind, ...obj } });
  }

  updateStatus<T extends KubeObject = KubeObject>(kind: KindInfo, obj: T): Promise<T> {
    return this.request({ method: 'PUT', path: resourcePath(kind, this.ns(kind, obj.metadata.namespace), obj.metadata.name, 'status'), body: { apiVersion: apiVersionOf(kind), kind: kind.kind, ...obj } });
  }

  patch<T extends KubeObject = KubeObject>(kind: KindInfo, name: string, patch: unknown, type: PatchType = 'merge', o: { namespace?: string; subresource?: string } & WriteOptions = {}): Promise<T> {
    return this.request({ method: 'PATCH', path: resourcePath(kind, this.ns(kind, o.namespace), name, o.subresource) + writeQuery(o), body: patch, contentType: PATCH_CONTENT[type] });
  }

  patchStatus<T extends KubeObject = KubeObject>(kind: KindInfo, name: string, patch: unknown, type: PatchType = 'merge', o: { namespace?: string } = {}): Promise<T> {
    return this.patch(kind, name, patch, type, { ...o, subresource: 'status' });
  }

  delete(kind: KindInfo, name: string, o: DeleteOptions & { namespace?: string; dryRun?: 'All' } = {}): Promise<KubeObject> {
    const { namespace, dryRun, ...opts } = o;
    return this.request({ method: 'DELETE', path: resourcePath(kind, this.ns(kind, namespace), name), body: { apiVersion: 'v1', kind: 'DeleteOptions', ...opts, ...(dryRun ? { dryRun: [dryRun] } : {}) } });
  }

  deleteCollection(kind: KindInfo, o: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    const { namespace, labelSelector, fieldSelector, ...opts } = o;
    return this.request({ method: 'DELETE', path: resourcePath(kind, this.ns(kind, namespace)) + query({ labelSelector, fieldSelector }), body: { apiVersion: 'v1', kind: 'DeleteOptions', ...opts } });
  }

  getScale(kind: KindInfo, name: string, o: { namespace?: string } = {}): Promise<KubeObject> {
    return this.request({ method: 'GET', path: resourcePath(kind, this.ns(kind, o.namespace), name, 'scale') });
  }

  updateScale(kind: KindInfo, name: string, replicas: number, o: { namespace?: string } = {}): Promise<KubeObject> {
    return this.request({ method: 'PATCH', path: resourcePath(kind, this.ns(kind, o.namespace), name, 'scale'), body: { spec: { replicas } }, contentType: PATCH_CONTENT.merge });
  }

  /** Binds a pod to a node (what a scheduler does). */
  bind(namespace: string, pod: string, node: string): Promise<Status> {
    return this.request({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } } });
  }

  private ns(kind: KindInfo, namespace: string | undefined): string | undefined {
    return kind.namespaced ? (namespace ?? this.config.namespace) : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs fn again while it fails with a 409 Conflict (read-modify-write loops), as client-go's RetryOnConflict. */
export async function retryOnConflict<T>(fn: () => Promise<T>, steps = 5): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflict(e) || i >= steps - 1) throw e;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i));
    }
  }
}
