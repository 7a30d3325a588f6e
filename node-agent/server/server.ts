// The node agent's HTTP server, which the API server calls for pods/log and pods/exec (the kubelet's paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&sinceTime&timestamps&previous&limitBytes
//   GET /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty   (WebSocket upgrade)
//   GET /stats/summary   (the node's and its pods' CPU and memory, stats/v1alpha1, for metrics.k8s.io)
//   GET /healthz
// Over TLS (a serving certificate from the cluster CA), answering only the API server: a client certificate from
// the cluster CA naming an allowed user (the API server's kubelet-client identity), else 401 (no or a bad
// certificate) or 403 (someone else); the plain server exists only for unit tests that give no TLS.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { queryBool } from '../../lib/api/query.js';
import type { KubeObject, Status } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { guardUpgradedSocket, refuseUpgrade } from '../../lib/util/upgrade.js';
import type { CriClient } from '../cri/client.js';
import type { Container } from '../cri/types.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../pods/config.js';
import { EXEC_PROTOCOLS, bridgeExec, type ExecSession } from './exec.js';
import { streamLog } from './logs.js';
import type { Summary } from '../../lib/api/summary.js';

const log = logger('node-agent-server');

export interface PodLookup {
  podByName(namespace: string, name: string): KubeObject | undefined;
  /** The Summary API's answer (absent: the node reports no resource usage). */
  statsSummary?(): Summary;
}

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** The agent's TLS: its serving certificate, the CA client certificates must chain to, and who may call it. */
export interface AgentTls {
  cert: string;
  key: string;
  clientCA: string;
  /** Client certificate common names let in (the API server's kubelet-client identity). */
  allowedUsers: string[];
}

function status(code: number, message: string): Status {
  const reason = code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : 'InternalError';
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class AgentServer {
  private server?: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false });
  /** Upgraded sockets until they close: refusals being written and exec sessions. */
  private readonly sockets = new Set<Duplex>();
  private readonly sessions = new Set<ExecSession>();

  constructor(private readonly pods: PodLookup, private readonly cri: CriClient, private readonly tls?: AgentTls) {
    this.wss.on('wsClientError', (err: Error, socket: Duplex) => refuseUpgrade(socket, status(400, `unable to upgrade connection: ${err.message}`)));
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
      guardUpgradedSocket(socket, this.sockets, (e) => log.debug('exec connection failed', { error: e.code ?? e.message }));
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

  /** Upgraded connections open now (exec sessions, refusals being written). */
  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.close();
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The runtime container behind a pod's container name: the newest, or the one before it (previous). */
  private async container(namespace: string, pod: string, name: string, previous: boolean): Promise<Container> {
    const p = this.pods.podByName(namespace, pod);
    if (!p) throw new HttpError(404, `pod "${pod}" not found on this node`);
    const all = await this.cri.listContainers({ labelSelector: { [LABEL_POD_UID]: p.metadata.uid as string, [LABEL_CONTAINER_NAME]: name } });
    all.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0));
    const c = previous ? all[1] : all[0];
    if (!c) {
      const known = ((p.spec?.containers ?? []) as Array<{ name: string }>).some((x) => x.name === name);
      if (!known) throw new HttpError(400, `container ${name} is not valid for pod ${pod}`);
      if (previous) throw new HttpError(400, `previous terminated container "${name}" in pod "${pod}" not found`);
      throw new HttpError(400, `container "${name}" in pod "${pod}" is waiting to start: ContainerCreating`);
    }
    return c;
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
      const c = await this.container(ns, pod, name, queryBool(q, 'previous'));
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
      const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m) throw new HttpError(404, `no handler for ${url.pathname}`);
      const [ns, pod, name] = m.slice(1).map(decodeURIComponent) as [string, string, string];
      const q = url.searchParams;
      const command = q.getAll('command');
      if (!command.length) throw new HttpError(400, 'you must specify at least one command for the container');
      const tty = queryBool(q, 'tty');
      const streams = { stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr') && !tty };
      if (!streams.stdin && !streams.stdout && !streams.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
      const offered = parseProtocols(req.headers['sec-websocket-protocol']);
      if (offered.length && !offered.some((p) => EXEC_PROTOCOLS.includes(p))) {
        throw new HttpError(400, `unable to upgrade connection: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`);
      }
      const c = await this.container(ns, pod, name, false);
      if (c.state !== 'CONTAINER_RUNNING') throw new HttpError(400, `cannot exec in a stopped container: ${name}`);
      // checked after the request itself, so that kubectl's SPDY fallback hears the same reason as its WebSocket try
      const upgrade = req.headers.upgrade ?? '';
      if (upgrade.toLowerCase() !== 'websocket') {
        throw new HttpError(400, `unable to upgrade connection: the node agent serves exec over WebSocket only (${EXEC_PROTOCOLS.join(', ')}), not ${JSON.stringify(upgrade)}`);
      }
      if (socket.destroyed) return; // the client left while we looked
      const execUrl = await this.cri.exec({ containerId: c.id, cmd: command, tty, ...streams });
      if (socket.destroyed) return; // the runtime's unused exec URL expires on its own
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = bridgeExec(ws, execUrl);
        this.sessions.add(session);
        session.onDone(() => this.sessions.delete(session));
      });
    } catch (e) {
      // A refused upgrade answers with a Status, which clients (kubectl, flotctl) decode into "Error from server".
      const code = e instanceof HttpError ? e.code : 500;
      if (code === 500) log.warn('exec failed', { path: url.pathname, error: (e as Error).message });
      refuseUpgrade(socket, status(code, (e as Error).message));
    }
  }
}

/** The request URL with its path segments checked: malformed input is the client's error (400), not ours. */
function parseUrl(raw: string | undefined): URL {
  try {
    const url = new URL(raw ?? '/', 'http://agent');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    throw new HttpError(400, `malformed request path ${JSON.stringify(raw ?? '')}`);
  }
}

/** The subprotocols a WebSocket client offers, in its order. */
function parseProtocols(header: string | undefined): string[] {
  return (header ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}
