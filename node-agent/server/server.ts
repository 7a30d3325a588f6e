// The node agent's HTTP server, which the API server calls for pods/log, exec, attach and portforward (the kubelet's
// paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&sinceTime&timestamps&previous&limitBytes
//   /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty   (an upgrade: WebSocket or SPDY/3.1)
//   /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty             (an upgrade)
//   /portForward/{namespace}/{pod}[?port=P...]                               (an upgrade)
//   GET /stats/summary   (the node's and its pods' CPU and memory, stats/v1alpha1, for metrics.k8s.io)
//   GET /healthz
// Over TLS (a serving certificate from the cluster CA), answering only the API server: a client certificate from
// the cluster CA naming an allowed user (the API server's kubelet-client identity), else 401 (no or a bad
// certificate) or 403 (someone else); the plain server exists only for unit tests that give no TLS.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { queryBool } from '../../lib/api/query.js';
import { logger } from '../../lib/util/log.js';
import { guardUpgradedSocket, refuseUpgrade } from '../../lib/util/upgrade.js';
import type { CriClient } from '../cri/client.js';
import { findContainer, podOnNode, type PodLookup } from './containers.js';
import { HttpError, parseUrl, status } from './errors.js';
import { streamLog } from './logs.js';
import { StreamServer } from './streams.js';

export type { PodLookup } from './containers.js';

const log = logger('node-agent-server');

/** The agent's TLS: its serving certificate, the CA client certificates must chain to, and who may call it. */
export interface AgentTls {
  cert: string;
  key: string;
  clientCA: string;
  /** Client certificate common names let in (the API server's kubelet-client identity). */
  allowedUsers: string[];
}

export class AgentServer {
  private server?: Server;
  /** Upgraded sockets until they close: refusals being written and streaming sessions. */
  private readonly sockets = new Set<Duplex>();
  private readonly streams: StreamServer;

  constructor(private readonly pods: PodLookup, private readonly cri: CriClient, private readonly tls?: AgentTls) {
    this.streams = new StreamServer(pods, cri);
  }

  async listen(port: number, host: string): Promise<void> {
    const serve = (req: IncomingMessage, res: ServerResponse) => {
      const refused = this.refuse(req);
      if (refused) res.writeHead(refused.code, { 'Content-Type': 'text/plain' }).end(refused.message);
      else void this.handle(req, res);
    };
    const t = this.tls;
    const server = (this.server = t
      ? createHttpsServer({ cert: t.cert, key: t.key, ca: t.clientCA, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, serve)
      : createServer(serve));
    server.on('tlsClientError', (e: Error) => log.debug('TLS handshake failed', { error: e.message }));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // first thing: a peer's reset must not reach process level (Node's HTTP server no longer watches this socket)
      guardUpgradedSocket(socket, this.sockets, (e) => log.debug('streaming connection failed', { error: e.code ?? e.message }));
      const refused = this.refuse(req);
      if (refused) return refuseUpgrade(socket, status(refused.code, refused.message));
      this.upgrade(req, socket, head).catch((e) => refuseUpgrade(socket, status(500, (e as Error).message)));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    // past listen, a server error is one failed accept (EMFILE under a connection flood): logged, not fatal
    server.on('error', (e) => log.error('agent server error', { error: e.message }));
  }

  /**
   * Why a request is refused before anything is looked at (no TLS configured: none): 401 without a valid client
   * certificate from the cluster CA, 403 for a certificate naming someone other than the API server.
   */
  private refuse(req: IncomingMessage): { code: number; message: string } | undefined {
    if (!this.tls) return undefined;
    const socket = req.socket;
    const peer = socket instanceof TLSSocket ? socket.getPeerCertificate() : undefined;
    if (!(socket instanceof TLSSocket) || !peer?.raw || !socket.authorized) return { code: 401, message: 'Unauthorized' };
    const cn = peer.subject?.CN;
    const user = Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
    if (this.tls.allowedUsers.includes(user)) return undefined;
    const verb = req.method === 'POST' ? 'create' : 'get';
    return { code: 403, message: `Forbidden (user=${user}, verb=${verb}, resource=nodes, subresource(s)=[proxy])` };
  }

  /** Upgraded connections open now (streaming sessions, refusals being written). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Streaming sessions (exec, attach, port-forward) open now. */
  get sessions(): number {
    return this.streams.sessionCount;
  }

  async close(): Promise<void> {
    this.streams.close();
    for (const s of this.sockets) s.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url = new URL('/', 'http://agent');
    // a client that leaves (or resets) at any point, even before the log starts, stops a follow
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    try {
      url = parseUrl(req.url);
      if (url.pathname === '/healthz') {
        res.end('ok');
        return;
      }
      if (url.pathname === '/stats/summary' && req.method === 'GET') {
        if (!this.pods.statsSummary) throw new HttpError(404, 'this node reports no resource usage');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(this.pods.statsSummary()));
        return;
      }
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || req.method !== 'GET') throw new HttpError(404, `no handler for ${req.method} ${url.pathname}`);
      const [ns, pod, name] = m.slice(1).map(decodeURIComponent) as [string, string, string];
      const q = url.searchParams;
      const c = await findContainer(this.cri, podOnNode(this.pods, ns, pod), name, queryBool(q, 'previous'));
      const status = (await this.cri.containerStatus(c.id)).status;
      if (!status?.logPath) throw new HttpError(500, `no log for container ${name}`);
      const since = q.get('sinceSeconds') ? Date.now() - Number(q.get('sinceSeconds')) * 1000 : q.get('sinceTime') ? Date.parse(q.get('sinceTime') as string) : undefined;
      if (abort.signal.aborted) return;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      await streamLog(status.logPath, {
        follow: queryBool(q, 'follow'),
        tailLines: q.get('tailLines') !== null ? Number(q.get('tailLines')) : undefined,
        sinceMs: since,
        timestamps: queryBool(q, 'timestamps'),
        limitBytes: q.get('limitBytes') !== null ? Number(q.get('limitBytes')) : undefined,
      }, res, async () => (await this.cri.containerStatus(c.id)).status?.state === 'CONTAINER_RUNNING', abort.signal);
      res.end();
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      if (code === 500) log.warn('request failed', { path: url.pathname, error: (e as Error).message });
      if (res.headersSent) {
        // mid-stream: the log so far is what the client gets; the error text must not pass for a log line
        res.destroy();
        return;
      }
      if (res.destroyed) return;
      res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end((e as Error).message);
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let url = new URL('/', 'http://agent');
    try {
      url = parseUrl(req.url);
      await this.streams.serve(req, url, socket, head);
    } catch (e) {
      // A refused upgrade answers with a Status, which clients (kubectl, flotctl) decode into "Error from server".
      const code = e instanceof HttpError ? e.code : 500;
      if (code === 500) log.warn('streaming request failed', { path: url.pathname, error: (e as Error).message });
      refuseUpgrade(socket, status(code, (e as Error).message));
    }
  }
}
