// The node agent's HTTP server, which the API server calls for pods/log and pods/exec (the kubelet's paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&sinceTime&timestamps&previous&limitBytes
//   GET /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty   (WebSocket upgrade)
//   GET /healthz
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { CriClient } from '../cri/client.js';
import type { Container } from '../cri/types.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../pods/config.js';
import { EXEC_PROTOCOLS, bridgeExec } from './exec.js';
import { streamLog } from './logs.js';

const log = logger('node-agent-server');

export interface PodLookup {
  podByName(namespace: string, name: string): KubeObject | undefined;
}

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class AgentServer {
  private server?: Server;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false });

  constructor(private readonly pods: PodLookup, private readonly cri: CriClient) {}

  async listen(port: number, host: string): Promise<void> {
    const server = (this.server = createServer((req, res) => void this.handle(req, res)));
    server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
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
    const url = new URL(req.url ?? '/', 'http://agent');
    try {
      if (url.pathname === '/healthz') {
        res.end('ok');
        return;
      }
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || req.method !== 'GET') throw new HttpError(404, `no handler for ${req.method} ${url.pathname}`);
      const [ns, pod, name] = m.slice(1).map(decodeURIComponent) as [string, string, string];
      const q = url.searchParams;
      const c = await this.container(ns, pod, name, q.get('previous') === 'true');
      const status = (await this.cri.containerStatus(c.id)).status;
      if (!status?.logPath) throw new HttpError(500, `no log for container ${name}`);
      const since = q.get('sinceSeconds') ? Date.now() - Number(q.get('sinceSeconds')) * 1000 : q.get('sinceTime') ? Date.parse(q.get('sinceTime') as string) : undefined;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      await streamLog(status.logPath, {
        follow: q.get('follow') === 'true',
        tailLines: q.get('tailLines') !== null ? Number(q.get('tailLines')) : undefined,
        sinceMs: since,
        timestamps: q.get('timestamps') === 'true',
        limitBytes: q.get('limitBytes') !== null ? Number(q.get('limitBytes')) : undefined,
      }, res, async () => (await this.cri.containerStatus(c.id)).status?.state === 'CONTAINER_RUNNING', abort.signal);
      res.end();
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      if (!res.headersSent) res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end((e as Error).message);
      if (code === 500) log.warn('request failed', { path: url.pathname, error: (e as Error).message });
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    try {
      if (!m) throw new HttpError(404, `no handler for ${url.pathname}`);
      const [ns, pod, name] = m.slice(1).map(decodeURIComponent) as [string, string, string];
      const q = url.searchParams;
      const command = q.getAll('command');
      if (!command.length) throw new HttpError(400, 'you must specify at least one command for the container');
      const c = await this.container(ns, pod, name, false);
      if (c.state !== 'CONTAINER_RUNNING') throw new HttpError(400, `cannot exec in a stopped container: ${name}`);
      const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
      const execUrl = await this.cri.exec({ containerId: c.id, cmd: command, tty: flag('tty'), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr') && !flag('tty') });
      this.wss.handleUpgrade(req, socket, head, (ws) => bridgeExec(ws, execUrl));
    } catch (e) {
      // A refused upgrade answers with a Status, which clients (kubectl, flotctl) decode into "Error from server".
      const code = e instanceof HttpError ? e.code : 500;
      const reason = code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : 'InternalError';
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: (e as Error).message, reason, code });
      socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : 'Internal Server Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  }
}
