// The node agent's HTTP server, which the API server calls for pods/log, exec, attach and portforward (the kubelet's
// paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&sinceTime&timestamps&previous&limitBytes
//   /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty   (an upgrade: WebSocket or SPDY/3.1)
//   /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty             (an upgrade)
//   /portForward/{namespace}/{pod}[?port=P...]                               (an upgrade)
//   GET /stats/summary   (the node's and its pods' CPU and memory, stats/v1alpha1, for metrics.k8s.io)
//   GET /healthz
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

export class AgentServer {
  private server?: Server;
  /** Upgraded sockets until they close: refusals being written and streaming sessions. */
  private readonly sockets = new Set<Duplex>();
  private readonly streams: StreamServer;

  constructor(private readonly pods: PodLookup, private readonly cri: CriClient) {
    this.streams = new StreamServer(pods, cri);
  }

  async listen(port: number, host: string): Promise<void> {
    const server = (this.server = createServer((req, res) => void this.handle(req, res)));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // first thing: a peer's reset must not reach process level (Node's HTTP server no longer watches this socket)
      guardUpgradedSocket(socket, this.sockets, (e) => log.debug('streaming connection failed', { error: e.code ?? e.message }));
      this.upgrade(req, socket, head).catch((e) => refuseUpgrade(socket, status(500, (e as Error).message)));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    // past listen, a server error is one failed accept (EMFILE under a connection flood): logged, not fatal
    server.on('error', (e) => log.error('agent server error', { error: e.message }));
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
