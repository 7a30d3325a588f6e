// The raw socket of an HTTP upgrade, as the API server and the node agent get it from Node's 'upgrade' event: the
// HTTP server has already taken its own error handler off it, so a peer's reset (ECONNRESET) or a write after the
// peer left would be an unhandled 'error' event and end the process. Both servers guard the socket first thing, and
// refuse an upgrade with an HTTP response carrying a Kubernetes Status, as kube-apiserver and the kubelet do.
// Relays of upgraded connections (the API server to a node agent, a node agent to the runtime's streaming server)
// share the rest: dialing the next hop, the relayed request, reading its answer, and splicing the two sockets.
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Status } from '../api/types.js';

/**
 * From here on, an error on the socket (a reset, a write after the peer left) ends this connection and nothing
 * else. The socket is in `live` until it closes, so a server can count and tear down its upgraded connections.
 */
export function guardUpgradedSocket(socket: Duplex, live: Set<Duplex>, onError: (e: NodeJS.ErrnoException) => void = () => undefined): void {
  live.add(socket);
  socket.on('error', (e: NodeJS.ErrnoException) => {
    onError(e);
    socket.destroy();
  });
  socket.once('close', () => live.delete(socket));
}

/**
 * Answers an upgrade request that won't be upgraded: the Status as an HTTP response, then the connection closes
 * once the answer is handed to the kernel. A socket the peer already reset or closed gets nothing.
 */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const code = status.code;
  const body = JSON.stringify(status);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** After one side of a spliced pair has closed, how long the other may take to flush and close. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Pipes a and b into each other until both are done. An error on either destroys both; when one side closes, the
 * other gets an orderly end (so the last frames, such as an exit status, still go out) and is destroyed if it
 * hasn't closed within graceMs. Used by every relay of an upgraded connection: the API server to the node agent,
 * the node agent to the runtime's streaming server.
 */
export function splice(a: Duplex, b: Duplex, graceMs = CLOSE_GRACE_MS): void {
  const fail = () => {
    a.destroy();
    b.destroy();
  };
  // a side that is already gone would never say 'close' again, and the other would stay open for good
  if (a.destroyed || b.destroyed) return fail();
  a.on('error', fail);
  b.on('error', fail);
  a.pipe(b);
  b.pipe(a);
  const closeOther = (other: Duplex) => () => {
    if (other.destroyed) return;
    other.end();
    const timer = setTimeout(() => other.destroy(), graceMs);
    timer.unref();
    other.once('close', () => clearTimeout(timer));
  };
  a.once('close', closeOther(b));
  b.once('close', closeOther(a));
}

/** Request headers that belong to one hop and are not relayed (the relay sets its own Host). */
const HOP_HEADERS = new Set(['host', 'content-length', 'authorization', 'proxy-authorization']);

/** A browser's bearer token offered as a WebSocket subprotocol: a credential, which stays with the first hop. */
const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/**
 * The text of an upgrade request relayed to the next hop: the client's method and headers (Upgrade, Connection,
 * Sec-WebSocket-*, X-Stream-Protocol-Version ...) on a new path, minus the client's credentials (its Authorization,
 * and a bearer token offered as a subprotocol, as kube-apiserver strips it) and Host.
 */
export function relayedRequest(method: string, path: string, host: string, rawHeaders: string[], drop: readonly string[] = []): string {
  const skip = new Set([...HOP_HEADERS, ...drop.map((d) => d.toLowerCase())]);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const k = rawHeaders[i] as string;
    let v = rawHeaders[i + 1] as string;
    if (skip.has(k.toLowerCase())) continue;
    if (k.toLowerCase() === 'sec-websocket-protocol') {
      v = v.split(',').map((p) => p.trim()).filter((p) => p && !p.startsWith(BEARER_PROTOCOL_PREFIX)).join(', ');
      if (!v) continue;
    }
    lines.push(`${k}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * A TCP connection to the next hop of a relay. Rejects when it fails or takes longer than timeoutMs, and gives up
 * (destroying it) if `client` goes away first, so no connection outlives the one it was made for.
 */
export async function dialNextHop(host: string, port: number, timeoutMs: number, client?: Duplex): Promise<Socket> {
  return whenReady(connect({ host, port, noDelay: true }), 'connect', timeoutMs, client);
}

/**
 * Waits for a new connection's `ready` event ('connect' for TCP, 'secureConnect' for TLS): rejects (destroying it)
 * when it fails, closes, takes longer than timeoutMs, or when `client` goes away first.
 */
export async function whenReady<S extends Socket>(upstream: S, ready: 'connect' | 'secureConnect', timeoutMs: number, client?: Duplex): Promise<S> {
  const clientGone = () => upstream.destroy(new Error('the client went away'));
  client?.once('close', clientGone);
  upstream.setTimeout(timeoutMs, () => upstream.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
  try {
    await new Promise<void>((resolve, reject) => {
      upstream.once(ready, resolve);
      upstream.once('error', reject);
      upstream.once('close', () => reject(new Error('connection closed')));
    });
  } finally {
    client?.off('close', clientGone);
  }
  upstream.setTimeout(0);
  return upstream;
}

/** An upgrade the next hop answered with something other than 101. */
export class UpgradeRefused extends Error {
  constructor(readonly statusCode: number, readonly body: string) {
    super(`upgrade refused with ${statusCode}: ${body.trim()}`);
  }
}

/** The largest response head (status line and headers) accepted from a next hop, and the most of a refusal read. */
const MAX_RESPONSE_HEAD = 64 * 1024;

/** The socket's next chunk, null once it has ended; the socket is paused again afterwards. */
function nextChunk(socket: Socket, timeoutMs: number): Promise<Buffer | null> {
  if (socket.readableEnded || socket.destroyed) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      socket.pause();
      fn();
    };
    const onData = (d: Buffer) => done(() => resolve(d));
    const onEnd = () => done(() => resolve(null));
    const onError = (e: Error) => done(() => reject(e));
    const timer = setTimeout(() => done(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`))), timeoutMs);
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
    socket.resume();
  });
}

/**
 * Reads the next hop's answer to an upgrade request written on `socket`: on 101, its headers (names lower-cased),
 * with any bytes after them put back on the socket, which is left paused (pipe() or an async iterator resumes it,
 * a 'data' listener alone does not); on anything else, UpgradeRefused with the body (a Status, from
 * Kubernetes servers), and the socket destroyed.
 */
export async function readUpgradeResponse(socket: Socket, timeoutMs: number): Promise<Record<string, string>> {
  let buf = Buffer.alloc(0);
  let end = -1;
  try {
    while (end < 0) {
      const chunk = await nextChunk(socket, timeoutMs);
      if (!chunk) throw new Error('the connection closed before an answer');
      buf = Buffer.concat([buf, chunk]);
      end = buf.indexOf('\r\n\r\n');
      if (end < 0 && buf.length > MAX_RESPONSE_HEAD) throw new Error("the answer's headers are too large");
    }
  } catch (e) {
    socket.destroy();
    throw e;
  }
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (status === 101) {
    if (rest.length) socket.unshift(rest);
    return headers;
  }
  // a refusal: its body, as far as it is announced (or until the peer closes), within a bound
  let body = rest;
  const want = Math.min(Number(headers['content-length'] ?? MAX_RESPONSE_HEAD), MAX_RESPONSE_HEAD);
  while (body.length < want) {
    const chunk = await nextChunk(socket, timeoutMs).catch(() => null);
    if (!chunk) break;
    body = Buffer.concat([body, chunk]);
  }
  socket.destroy();
  throw new UpgradeRefused(status, body.toString('utf8'));
}
