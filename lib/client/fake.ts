// An in-memory API server behind a real Client, for unit tests of informers, controllers and claim() (client-go's
// fake clientset, with watches): the REST paths and verbs the real server answers for what controllers do: get;
// list with label and field selectors and pages; watch from a resourceVersion (410 Gone once compacted); create
// with generateName; update and status writes with optimistic concurrency and generation bumps; merge patches
// (strategic ones are applied as merge patches: enough for metadata and status); delete with uid preconditions,
// finalizers and propagation policies, graceful for pods bound to a node (they stay, terminating, until a delete
// with gracePeriodSeconds 0, the kubelet's); deletecollection; namespace finalize; pods/binding. Tests can hold
// watch events back (an informer that lags), make chosen requests fail, and read every request made. Never used
// outside tests.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { KINDS, apiVersionOf, type KindInfo } from '../api/kinds.js';
import { mergePatch } from '../api/patch/index.js';
import { fieldsAt, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../api/selectors/index.js';
import type { KubeObject, Status, StatusCause, WatchEventType } from '../api/types.js';
import { ApiError, Client, type RawRequest } from './rest.js';
import { rfc3339 } from '../api/time.js';

export interface FakeAction {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  body?: unknown;
}

/** Returns an error to fail the request with, or undefined to let it through. */
export type Reactor = (a: FakeAction) => ApiError | undefined;

interface Stored {
  kind: KindInfo;
  obj: KubeObject;
}

interface Watcher {
  kind: KindInfo;
  namespace?: string;
  accepts: (o: KubeObject) => boolean;
  out: PassThrough;
}

interface Event {
  kind: KindInfo;
  type: WatchEventType;
  object: KubeObject;
  rv: number;
}

export function apiError(code: number, reason: string, message: string, causes?: StatusCause[]): ApiError {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
    ...(causes ? { details: { causes } } : {}),
  };
  return new ApiError(code, status);
}

const qualified = (k: KindInfo): string => (k.group ? `${k.resource}.${k.group}` : k.resource);
const clone = <T>(v: T): T => structuredClone(v);

export class FakeApiServer {
  /** Every request, in order. */
  readonly actions: FakeAction[] = [];
  /** Consulted before each request; the first error returned fails it. */
  readonly reactors: Reactor[] = [];
  private readonly objects = new Map<string, Stored>();
  private history: Event[] = [];
  /** Watch events withheld from watchers (holdWatches) until releaseWatches. */
  private held: Event[] = [];
  private readonly holds = new Set<string>();
  private readonly watchers = new Set<Watcher>();
  private compactedRv = 0;
  private rv = 1;
  /** Kinds served beyond the built-in ones (a test's custom resources: serve()). */
  private readonly extraKinds: KindInfo[] = [];

  /** Serves a kind that is not built in (a custom resource's), as an API server does once its CRD is established. */
  serve(kind: KindInfo): this {
    this.extraKinds.push(kind);
    return this;
  }
  private seq = 0;

  client(): Client {
    return new FakeClient(this);
  }

  /** Stores obj as a create would, without recording an action or consulting reactors. */
  seed(kind: KindInfo, obj: KubeObject): KubeObject {
    return this.create(kind, obj.metadata.namespace, obj);
  }

  get(kind: KindInfo, name: string, namespace?: string): KubeObject | undefined {
    const s = this.objects.get(this.key(kind, namespace, name));
    return s && clone(s.obj);
  }

  list(kind: KindInfo, namespace?: string): KubeObject[] {
    return [...this.objects.values()].filter((s) => s.kind === kind && (!namespace || s.obj.metadata.namespace === namespace)).map((s) => clone(s.obj));
  }

  /** Requests with this verb (and resource), e.g. every pod create. */
  count(verb: FakeAction['verb'], resource?: string): number {
    return this.actions.filter((a) => a.verb === verb && (!resource || a.resource === resource) && !a.subresource).length;
  }

  /** From now on, watch events (of this resource only, if given) wait: the informers lag ... */
  holdWatches(resource?: string): void {
    this.holds.add(resource ?? '*');
  }

  /** ... until this delivers them (those of this resource only, if given), in order. */
  releaseWatches(resource?: string): void {
    if (resource) this.holds.delete(resource);
    else this.holds.clear();
    const due = this.held.filter((e) => !this.isHeld(e));
    this.held = this.held.filter((e) => this.isHeld(e));
    for (const e of due) this.dispatch(e);
  }

  private isHeld(e: Event): boolean {
    return this.holds.has('*') || this.holds.has(e.kind.resource);
  }

  /** Forgets the watch history: a watch from an older resourceVersion gets 410 Gone, as after etcd compaction. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Ends every open watch (as a server timeout would); watchers resume from their last resourceVersion. */
  closeWatches(): void {
    for (const w of this.watchers) w.out.end();
    this.watchers.clear();
  }

  // ---- the HTTP surface ----

  handle(r: RawRequest): unknown {
    const url = new URL(r.path, 'http://fake');
    const { kind, namespace, name, subresource } = this.route(url.pathname);
    const q = url.searchParams;
    const watching = r.method === 'GET' && q.get('watch') === 'true';
    const verb = ((): FakeAction['verb'] => {
      switch (r.method) {
        case 'GET':
          return watching ? 'watch' : name ? 'get' : 'list';
        case 'POST':
          return 'create';
        case 'PUT':
          return 'update';
        case 'PATCH':
          return 'patch';
        case 'DELETE':
          return name ? 'delete' : 'deletecollection';
        default:
          throw apiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      }
    })();
    const action: FakeAction = { verb, resource: kind.resource, subresource, namespace, name, body: r.body };
    this.actions.push(action);
    for (const react of this.reactors) {
      const err = react(action);
      if (err) throw err;
    }
    const body = r.body as KubeObject;
    switch (verb) {
      case 'get':
        return this.mustGet(kind, namespace, name as string);
      case 'list':
        return this.listResponse(kind, namespace, q);
      case 'create':
        return subresource === 'binding' ? this.bind(kind, namespace, name as string, body) : this.create(kind, namespace, body);
      case 'update':
        return subresource === 'finalize'
          ? this.finalize(kind, name as string, body)
          : this.update(kind, namespace, name as string, body, subresource === 'status');
      case 'patch':
        return this.patch(kind, namespace, name as string, body, subresource === 'status');
      case 'delete':
        return this.delete(kind, namespace, name as string, (r.body ?? {}) as DeleteBody);
      case 'deletecollection':
        return this.deleteCollection(kind, namespace, q, (r.body ?? {}) as DeleteBody);
      default:
        throw new Error('watch is served by watch()');
    }
  }

  watch(r: RawRequest): PassThrough & { statusCode: number } {
    const url = new URL(r.path, 'http://fake');
    const { kind, namespace } = this.route(url.pathname);
    const q = url.searchParams;
    this.actions.push({ verb: 'watch', resource: kind.resource, namespace });
    const out = Object.assign(new PassThrough(), { statusCode: 200, headers: {} });
    const from = Number(q.get('resourceVersion') || 0);
    if (from && from < this.compactedRv) {
      out.statusCode = 410;
      out.end(JSON.stringify(apiError(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`).status));
      return out;
    }
    const labels = q.get('labelSelector') ? parseLabelSelector(q.get('labelSelector') as string) : undefined;
    const fields = q.get('fieldSelector') ? parseFieldSelector(q.get('fieldSelector') as string) : undefined;
    const w: Watcher = {
      kind,
      namespace,
      out,
      accepts: (o) => (!labels || matchesLabels(labels, o.metadata.labels)) && (!fields || matchesFields(fields, fieldsAt(o, fields))),
    };
    for (const e of this.history) if (e.rv > from) this.send(w, e);
    this.watchers.add(w);
    const stop = (): void => {
      this.watchers.delete(w);
      out.end();
    };
    if (r.signal?.aborted) stop();
    r.signal?.addEventListener('abort', stop, { once: true });
    return out;
  }

  private route(pathname: string): { kind: KindInfo; namespace?: string; name?: string; subresource?: string } {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [group, version, rest] = parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : [parts[1], parts[2], parts.slice(3)];
    let namespace: string | undefined;
    let segs = rest as string[];
    if (
      segs[0] === 'namespaces' &&
      segs.length >= 3 &&
      [...KINDS, ...this.extraKinds].some((k) => k.group === group && k.version === version && k.namespaced && k.resource === segs[2])
    ) {
      namespace = segs[1];
      segs = segs.slice(2);
    }
    const kind = [...KINDS, ...this.extraKinds].find((k) => k.group === group && k.version === version && k.resource === segs[0]);
    if (!kind) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    return { kind, namespace, name: segs[1], subresource: segs[2] };
  }

  private key(kind: KindInfo, namespace: string | undefined, name: string): string {
    return `${qualified(kind)}|${kind.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  private mustGet(kind: KindInfo, namespace: string | undefined, name: string): KubeObject {
    const s = this.objects.get(this.key(kind, namespace, name));
    if (!s) throw apiError(404, 'NotFound', `${qualified(kind)} "${name}" not found`);
    return clone(s.obj);
  }

  private listResponse(kind: KindInfo, namespace: string | undefined, q: URLSearchParams): unknown {
    const labels = q.get('labelSelector') ? parseLabelSelector(q.get('labelSelector') as string) : undefined;
    const fields = q.get('fieldSelector') ? parseFieldSelector(q.get('fieldSelector') as string) : undefined;
    const all = this.list(kind, namespace)
      .filter((o) => (!labels || matchesLabels(labels, o.metadata.labels)) && (!fields || matchesFields(fields, fieldsAt(o, fields))))
      .sort((a, b) =>
        this.key(kind, a.metadata.namespace, a.metadata.name as string).localeCompare(this.key(kind, b.metadata.namespace, b.metadata.name as string)),
      );
    const start = Number(q.get('continue') || 0);
    const limit = Number(q.get('limit') || 0) || all.length;
    const items = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return {
      apiVersion: apiVersionOf(kind),
      kind: `${kind.kind}List`,
      metadata: { resourceVersion: String(this.rv), ...(more ? { continue: String(start + limit) } : {}) },
      items,
    };
  }

  private create(kind: KindInfo, namespace: string | undefined, body: KubeObject): KubeObject {
    const obj = clone(body);
    obj.apiVersion = apiVersionOf(kind);
    obj.kind = kind.kind;
    const meta = obj.metadata ?? (obj.metadata = {});
    if (kind.namespaced) meta.namespace = namespace ?? meta.namespace ?? 'default';
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${(++this.seq).toString(36).padStart(5, '0')}`;
    if (!meta.name) throw apiError(422, 'Invalid', `${kind.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    const ns = kind.namespaced ? this.objects.get(this.key(NAMESPACE, undefined, meta.namespace as string)) : undefined;
    if (ns?.obj.metadata.deletionTimestamp) {
      throw apiError(
        403,
        'Forbidden',
        `${qualified(kind)} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
        [{ reason: 'NamespaceTerminating', message: `namespace ${meta.namespace} is being terminated`, field: 'metadata.namespace' }],
      );
    }
    const key = this.key(kind, meta.namespace, meta.name);
    if (this.objects.has(key)) throw apiError(409, 'AlreadyExists', `${qualified(kind)} "${meta.name}" already exists`);
    meta.uid = `uid-${++this.seq}`;
    meta.generation = 1;
    meta.creationTimestamp = rfc3339();
    delete meta.deletionTimestamp;
    if (kind === NAMESPACE) {
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
      obj.status = { phase: 'Active' };
    }
    return this.store(kind, key, obj, 'ADDED');
  }

  /** pods/binding: what a scheduler does; a pod already on a node refuses (409), as the real server does. */
  private bind(kind: KindInfo, namespace: string | undefined, name: string, body: KubeObject): Status {
    const cur = this.mustGet(kind, namespace, name);
    const bound = cur.spec?.nodeName;
    if (bound) throw apiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${bound}"`);
    const target = (body as { target?: { name?: string } }).target?.name;
    this.store(kind, this.key(kind, namespace, name), { ...cur, spec: { ...cur.spec, nodeName: target } }, 'MODIFIED');
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  private update(kind: KindInfo, namespace: string | undefined, name: string, body: KubeObject, statusOnly: boolean): KubeObject {
    const cur = this.mustGet(kind, namespace, name);
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) throw conflict(kind, name);
    let next: KubeObject;
    if (statusOnly) next = { ...cur, status: clone(body.status) };
    else {
      next = { ...clone(body), apiVersion: cur.apiVersion, kind: cur.kind, status: cur.status };
      next.metadata = {
        ...clone(body.metadata),
        name,
        namespace: cur.metadata.namespace,
        uid: cur.metadata.uid,
        creationTimestamp: cur.metadata.creationTimestamp,
        generation: cur.metadata.generation,
        deletionTimestamp: cur.metadata.deletionTimestamp,
      };
      if (JSON.stringify(next.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    const key = this.key(kind, namespace, name);
    // the last finalizer gone from an object being deleted (and not in a grace period) removes it
    if (next.metadata.deletionTimestamp && !next.metadata.deletionGracePeriodSeconds && !next.metadata.finalizers?.length && this.finalized(kind, next))
      return this.remove(kind, key, next);
    return this.store(kind, key, next, 'MODIFIED');
  }

  private patch(kind: KindInfo, namespace: string | undefined, name: string, patch: unknown, statusOnly: boolean): KubeObject {
    const cur = this.mustGet(kind, namespace, name);
    const next = mergePatch(cur, patch) as KubeObject;
    if (next.metadata?.resourceVersion !== cur.metadata.resourceVersion) throw conflict(kind, name);
    return this.update(kind, namespace, name, next, statusOnly);
  }

  private finalize(kind: KindInfo, name: string, body: KubeObject): KubeObject {
    const cur = this.mustGet(kind, undefined, name);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(kind, name);
    const next = { ...cur, spec: { ...cur.spec, finalizers: body.spec?.finalizers ?? [] } };
    const key = this.key(kind, undefined, name);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && this.finalized(kind, next)) return this.remove(kind, key, next);
    return this.store(kind, key, next, 'MODIFIED');
  }

  private delete(kind: KindInfo, namespace: string | undefined, name: string, opts: DeleteBody): KubeObject {
    const cur = this.mustGet(kind, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      const why = `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`;
      throw apiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(kind)} "${name}": ${why}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) throw conflict(kind, name);
    const key = this.key(kind, namespace, name);
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    const add = opts.propagationPolicy === 'Orphan' ? 'orphan' : opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : undefined;
    if (add && !finalizers.includes(add)) finalizers.push(add);
    const grace =
      kind.kind === 'Pod' && cur.spec?.nodeName
        ? (opts.gracePeriodSeconds ?? cur.metadata.deletionGracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30)
        : 0;
    if (!finalizers.length && !grace && this.finalized(kind, cur)) return this.remove(kind, key, cur);
    if (cur.metadata.deletionTimestamp && finalizers.length === (cur.metadata.finalizers ?? []).length && grace === cur.metadata.deletionGracePeriodSeconds)
      return cur;
    const next = clone(cur);
    next.metadata.finalizers = finalizers.length ? finalizers : undefined;
    next.metadata.deletionTimestamp ??= rfc3339();
    next.metadata.deletionGracePeriodSeconds = grace;
    if (kind === NAMESPACE) next.status = { ...next.status, phase: 'Terminating' };
    return this.store(kind, key, next, 'MODIFIED');
  }

  private deleteCollection(kind: KindInfo, namespace: string | undefined, q: URLSearchParams, opts: DeleteBody): unknown {
    const list = this.listResponse(
      kind,
      namespace,
      new URLSearchParams({ labelSelector: q.get('labelSelector') ?? '', fieldSelector: q.get('fieldSelector') ?? '' }),
    ) as { items: KubeObject[] };
    const items = list.items.map((o) =>
      this.delete(kind, o.metadata.namespace, o.metadata.name as string, {
        gracePeriodSeconds: opts.gracePeriodSeconds,
        propagationPolicy: opts.propagationPolicy,
      }),
    );
    return { ...list, items };
  }

  /** A namespace also waits for its spec.finalizers (the namespace controller's `kubernetes`). */
  private finalized(kind: KindInfo, o: KubeObject): boolean {
    return kind !== NAMESPACE || !((o.spec?.finalizers as string[] | undefined) ?? []).length;
  }

  private store(kind: KindInfo, key: string, obj: KubeObject, type: WatchEventType): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, { kind, obj: clone(obj) });
    this.emit({ kind, type, object: clone(obj), rv: this.rv });
    return clone(obj);
  }

  private remove(kind: KindInfo, key: string, last: KubeObject): KubeObject {
    this.objects.delete(key);
    const obj = { ...clone(last), metadata: { ...clone(last.metadata), resourceVersion: String(++this.rv) } };
    this.emit({ kind, type: 'DELETED', object: clone(obj), rv: this.rv });
    return obj;
  }

  private emit(e: Event): void {
    if (this.isHeld(e)) this.held.push(e);
    else this.dispatch(e);
  }

  private dispatch(e: Event): void {
    this.history.push(e);
    for (const w of this.watchers) this.send(w, e);
  }

  private send(w: Watcher, e: Event): void {
    if (w.kind !== e.kind || (w.namespace && e.object.metadata.namespace !== w.namespace) || !w.accepts(e.object)) return;
    w.out.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
  }
}

interface DeleteBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

const NAMESPACE = KINDS.find((k) => k.kind === 'Namespace') as KindInfo;

function conflict(kind: KindInfo, name: string): ApiError {
  const why = 'the object has been modified; please apply your changes to the latest version and try again';
  return apiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(kind)} "${name}": ${why}`);
}

/** A Client whose requests the FakeApiServer answers in memory (no socket is ever opened). */
class FakeClient extends Client {
  constructor(private readonly server: FakeApiServer) {
    super({ server: 'http://fake.invalid', namespace: 'default', sources: [], context: 'fake' });
  }

  override async request<T>(r: RawRequest): Promise<T> {
    await Promise.resolve(); // answer asynchronously, as a server does
    return this.server.handle(r) as T;
  }

  override async stream(r: RawRequest): Promise<IncomingMessage> {
    await Promise.resolve();
    return this.server.watch(r) as unknown as IncomingMessage;
  }
}

/** Polls fn until it returns something truthy (an informer catching up, a loop converging); fails after timeoutMs. */
export async function eventually<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
