// The raw socket of an HTTP upgrade, as the API server and the node agent get it from Node's 'upgrade' event: the
// HTTP server has already taken its own error handler off it, so a peer's reset (ECONNRESET) or a write after the
// peer left would be an unhandled 'error' event and end the process. Both servers guard the socket first thing, and
// refuse an upgrade with an HTTP response carrying a Kubernetes Status, as kube-apiserver and the kubelet do.
import { STATUS_CODES } from 'node:http';
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
