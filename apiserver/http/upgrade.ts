// Upgraded connections: watches over WebSocket (served here) and subresources that serve upgrades (their definition's
// upgrade(): pods/exec, pods/attach and pods/portforward, relayed to the node agent by node-proxy.ts). Node's HTTP
// server hands an upgrade's raw socket over with no error handler of its own, so a client that resets it
// (ECONNRESET) or leaves before we answer would take the process down: the first thing done with every socket is to
// guard it (lib/util/upgrade.ts), and every refusal is an HTTP response carrying a Kubernetes Status, written only
// to a socket that can still take it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KindInfo } from '../../lib/api/kinds.js';
import { logger } from '../../lib/util/log.js';
import { guardUpgradedSocket, refuseUpgrade } from '../../lib/util/upgrade.js';
import type { RequestGate } from '../auth/gate.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors, toApiError } from '../errors.js';
import type { Store } from '../registry/store.js';
import { negotiate } from './negotiate.js';
import { servedKind } from './request.js';
import { requestInfo, requestPath, type RequestInfo } from './request-info.js';
import { handleResource, type ResourceRequest } from './resources.js';
import { webSocketSink } from './watch.js';

const log = logger('apiserver');

export interface UpgradeDeps {
  stores: Map<KindInfo, Store>;
  /** Authentication, audit, impersonation and authorization (auth/gate.ts). */
  gate: RequestGate;
  bookmarkIntervalMs: number;
  /** --min-request-timeout: a watch without timeoutSeconds ends after this many seconds times 1 to 2 (default 1800). */
  minRequestTimeoutSeconds?: number;
}

/** Streaming subresources Kubernetes serves over an upgrade that Flotilla does not serve (yet). */
const NOT_SERVED: Record<string, readonly string[]> = { pods: ['proxy'], services: ['proxy'], nodes: ['proxy'] };


const ONLY = 'WebSocket upgrades are served for watch requests, pods/exec, pods/attach and pods/portforward only';

/** A watch client has nothing to say beyond control frames; anything bigger than this is not a watch client. */
const WATCH_MAX_PAYLOAD = 64 * 1024;

export class UpgradeHandler {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WATCH_MAX_PAYLOAD, perMessageDeflate: false });
  /** Every upgraded socket until it closes: what stop() tears down, and what `connections` counts. */
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly deps: UpgradeDeps) {
    // a malformed WebSocket handshake (no key, wrong version, bad protocol list) is refused with a Status too
    this.wss.on('wsClientError', (err: Error, socket: Duplex) => refuseUpgrade(socket, errors.badRequest(`unable to upgrade connection: ${err.message}`).toStatus()));
  }

  /** The HTTP server's 'upgrade' listener. Never throws, whatever the peer does. */
  readonly handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    guardUpgradedSocket(socket, this.sockets, (e) => log.debug('upgraded connection failed', { error: e.code ?? e.message }));
    this.route(req, socket, head).catch((e) => {
      const err = toApiError(e);
      if (err.code >= 500) log.error('upgrade failed', { path: req.url, error: err.message });
      refuseUpgrade(socket, err.toStatus());
    });
  };

  /** Upgraded connections open now (WebSocket watches, exec relays, refusals being written). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Ends every upgraded connection: the server is stopping. */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    for (const s of this.sockets) s.destroy();
  }


  private async route(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let url: URL;
    let info: RequestInfo;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      info = requestInfo('GET', requestPath(req.url, url), url.searchParams);
    } catch {
      throw errors.badRequest(`malformed request path ${JSON.stringify(req.url ?? '')}`);
    }
    if (info.invalidPath) throw errors.badRequest(info.invalidPath);
    const user = await this.deps.gate.admitUpgrade(req, socket, info);
    if (socket.destroyed) return;

    if (!info.isResourceRequest) throw errors.badRequest(ONLY);
    const sub = info.subresource;
    if (sub && info.group === '' && NOT_SERVED[info.resource]?.includes(sub)) {
      // Kubernetes' answer for a verb a resource doesn't support (MethodNotSupported)
      throw new ApiError(405, 'MethodNotAllowed', `${sub} is not supported on resources of kind "${info.resource}"`, { name: info.name, kind: info.resource });
    }
    const store = servedKind(this.deps.stores, info);
    const subresource = sub ? store?.def.subresources[sub] : undefined;
    if (!store || (info.namespace !== undefined && !store.kind.namespaced) || (sub && !subresource)) throw errors.resourceNotFound();
    if (subresource?.upgrade && info.name && (info.namespace !== undefined || !store.kind.namespaced)) {
      // optional: stand-in stores (tests) have no webhooks
      await store.webhooks?.connect(user, info.namespace, info.name, sub as string, connectOptions(sub as string, url.searchParams));
      if (socket.destroyed) return;
      await subresource.upgrade({ stores: this.deps.stores, namespace: info.namespace, name: info.name, query: url.searchParams, req, socket, head });
      return;
    }
    const upgrade = req.headers.upgrade ?? '';
    if (upgrade.toLowerCase() !== 'websocket') {
      throw errors.badRequest(`unable to upgrade connection: this server upgrades to WebSocket only, not ${JSON.stringify(upgrade)}`);
    }
    if (req.method !== 'GET') throw errors.methodNotAllowed();
    if (info.verb !== 'watch' || sub) throw errors.badRequest(ONLY);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serveWatch(ws, req, info, url.searchParams));
  }

  /** The same watch as over chunked HTTP, one JSON event per message. */
  private serveWatch(ws: WebSocket, req: IncomingMessage, info: RequestInfo, query: URLSearchParams): void {
    // protocol errors (a bad frame, an oversized message) are the client's; they end its watch only
    ws.on('error', (e) => {
      log.debug('watch WebSocket failed', { error: e.message });
      ws.terminate();
    });
    const r: ResourceRequest = {
      req,
      info,
      query,
      body: async () => Buffer.alloc(0),
      reply: { res: undefined as never, out: negotiate(undefined), warnings: [], includeObject: 'Metadata' },
      stores: this.deps.stores,
      bookmarkIntervalMs: this.deps.bookmarkIntervalMs,
      minRequestTimeoutSeconds: this.deps.minRequestTimeoutSeconds,
      sink: webSocketSink(ws),
    };
    handleResource(r).catch((e) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify({ type: 'ERROR', object: toApiError(e).toStatus() }));
      ws.close(1000);
    });
  }
}

/** The options object a CONNECT carries to admission webhooks (PodExecOptions...), from the request's query. */
function connectOptions(sub: string, q: URLSearchParams): KubeObject {
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const kinds: Record<string, string> = { exec: 'PodExecOptions', attach: 'PodAttachOptions', portforward: 'PodPortForwardOptions' };
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: kinds[sub] ?? 'ConnectOptions' };
  if (sub === 'portforward') out.ports = q.getAll('ports').map(Number).filter(Number.isInteger);
  else {
    for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (flag(k)) out[k] = true;
    if (q.get('container')) out.container = q.get('container');
    if (sub === 'exec') out.command = q.getAll('command');
  }
  return out as unknown as KubeObject;
}
