// Connections to the runtime's streaming server (containerd's, at the URL a CRI Exec/Attach/PortForward call
// returns). It speaks the Kubernetes streaming protocols itself, over SPDY and WebSocket, as the kubelet's own
// streaming library does; the node agent either passes a client's upgrade through to it untouched (splice), or
// opens a SPDY connection of its own to it (for the protocols the runtime does not know: v5, translate.ts, and
// kubectl 1.31+'s SPDY-in-WebSocket tunnel, streams.ts).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { STREAM_PROTOCOL_HEADER } from '../../lib/util/streaming.js';
import { dialNextHop, readUpgradeResponse, relayedRequest } from '../../lib/util/upgrade.js';

/** How long the runtime may take to accept a connection and answer its upgrade. */
export const RUNTIME_TIMEOUT_MS = 10_000;

/** Upgrades to SPDY/3.1 at the runtime's URL with one stream protocol; resolves to the socket and what it chose. */
export async function dialRuntimeSpdy(url: string, protocol: string, client?: Duplex): Promise<{ socket: Socket; protocol: string }> {
  const u = new URL(url);
  const socket = await dialNextHop(u.hostname, Number(u.port), RUNTIME_TIMEOUT_MS, client);
  socket.on('error', () => undefined); // errors end the socket; whoever holds it hears 'close'
  socket.write(
    `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
      `${STREAM_PROTOCOL_HEADER}: ${protocol}\r\nContent-Length: 0\r\n\r\n`,
  );
  const headers = await readUpgradeResponse(socket, RUNTIME_TIMEOUT_MS);
  return { socket, protocol: headers[STREAM_PROTOCOL_HEADER.toLowerCase()] ?? '' };
}

/**
 * Opens a connection to the runtime's URL and writes the client's upgrade request on it, as the client sent it
 * (method, Upgrade, protocols, WebSocket key) but for its path: the runtime answers the handshake itself, and
 * from here on the two sockets only need splicing.
 */
export async function dialRuntimeFor(url: string, method: string, rawHeaders: string[], head: Buffer, client: Duplex, query = ''): Promise<Socket> {
  const u = new URL(url);
  const socket = await dialNextHop(u.hostname, Number(u.port), RUNTIME_TIMEOUT_MS, client);
  socket.write(relayedRequest(method, `${u.pathname}${query ? `?${query}` : u.search}`, u.host, rawHeaders));
  if (head.length) socket.write(head);
  return socket;
}
