// `flotilla dashboard --proxy`: the dashboard signed in with the kubeconfig's own credentials (an admin's client
// certificate, which a browser page cannot present), the way `kubectl proxy` serves the API: a server on loopback
// that forwards /dashboard/, /api and /apis to the API server, adding the kubeconfig's certificate or token to every
// request (WebSocket upgrades too: the terminal, WebSocket watches).
// Whoever reaches the proxy acts as the kubeconfig's user, so it takes only what the page itself sends:
//  - the Host must be the proxy's own loopback address (a DNS-rebinding page names another host);
//  - a request with an Origin (every cross-site fetch, form post and WebSocket handshake carries one) must come
//    from the proxy's own origin: another site's page cannot ride the user's rights, WebSockets to exec included;
//  - the page's own Authorization and impersonation headers are dropped: the proxy's identity is the only one.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ClientConfig } from '../lib/client/kubeconfig.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
const FORWARDED_PREFIXES = ['/dashboard', '/api/', '/apis', '/api', '/version', '/openapi/'];

export interface DashboardProxy {
  url: string;
  close(): Promise<void>;
}

/** The headers sent upstream: the client's minus hop-by-hop ones and any identity it brought. */
function upstreamHeaders(h: IncomingHttpHeaders, cfg: ClientConfig, upgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === 'authorization' || k === 'origin' || k === 'cookie' || k.startsWith('impersonate-')) continue;
    out[k] = v;
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = h.upgrade ?? 'websocket';
  }
  if (cfg.token) out.authorization = `Bearer ${cfg.token}`;
  return out;
}

/** Why a request may not go through (a 403's message), or undefined when it may. */
export function refusal(h: IncomingHttpHeaders, port: number, path: string): string | undefined {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!h.host || !own.includes(h.host)) return `host ${JSON.stringify(h.host ?? '')} is not this proxy's`;
  if (h.origin !== undefined && h.origin !== `http://${h.host}`) return `requests from ${JSON.stringify(h.origin)} are not accepted`;
  if (!FORWARDED_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`) || path.startsWith(`${p}?`))) return `${path} is not forwarded`;
  return undefined;
}

export async function startDashboardProxy(cfg: ClientConfig, port = 0, address = '127.0.0.1'): Promise<DashboardProxy> {
  const upstream = new URL(cfg.server);
  const tls = upstream.protocol === 'https:';
  const send = tls ? httpsRequest : httpRequest;
  const base = (req: IncomingMessage, upgrade: boolean): RequestOptions => ({
    protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
    headers: upstreamHeaders(req.headers, cfg, upgrade),
    ...(tls ? { ca: cfg.caData, cert: cfg.certData, key: cfg.keyData, rejectUnauthorized: !cfg.insecureSkipTLSVerify } : {}),
  });
  let listening = 0;
  const deny = (res: ServerResponse, why: string) => {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`Forbidden: ${why}\n`);
  };
  const server: Server = createServer((req, res) => {
    const why = refusal(req.headers, listening, req.url ?? '/');
    if (why) return deny(res, why);
    const up = send(base(req, false), (answer) => {
      const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k) || k === 'transfer-encoding'));
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    up.on('error', (e) => (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-type': 'text/plain' }).end(`the API server did not answer: ${e.message}\n`)));
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const why = refusal(req.headers, listening, req.url ?? '/');
    if (why) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nForbidden: ${why}\n`);
      return;
    }
    const up = send(base(req, true));
    up.on('upgrade', (answer, upSocket, upHead) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket).pipe(upSocket);
    });
    // refused upstream (403, 404, ...): its answer, then the connection closes
    up.on('response', (answer) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`, 'connection: close'];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) if (!HOP_BY_HOP.has(String(answer.rawHeaders[i]).toLowerCase())) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      answer.pipe(socket);
    });
    up.on('error', () => socket.destroy());
    up.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  listening = (server.address() as AddressInfo).port;
  return {
    url: `http://${address}:${listening}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
