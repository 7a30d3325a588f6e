// Answers for requests Node's HTTP parser rejects before they reach the handler: a request line or headers past
// the size limit (414 / 431), a method the parser does not know (405), malformed HTTP (400), a client too slow to
// send its headers (408). Each gets a Kubernetes Status and the connection is closed, where the server used to
// reset the connection without a word.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Status } from '../../lib/api/types.js';

/** Node's default limit for the request line plus headers (--max-http-header-size). */
export const MAX_HEADER_BYTES = 16 * 1024;

interface ParserError extends Error {
  code?: string;
  /** The bytes the parser choked on (Node sets it on clientError). */
  rawPacket?: Buffer;
}

interface Answer {
  code: number;
  reason?: string;
  message: string;
}

const CRLF = Buffer.from('\r\n');

/**
 * The first bytes each connection sent. Over TLS the request arrives in records of at most 16 KB, so the packet that
 * overflowed may be a later one, without the request line: the first one tells whether the line ended in time.
 */
const firstPackets = new WeakMap<Duplex, Buffer>();

/** Remembers a connection's first packet (server.on('secureConnection')); costs one listener until then. */
export function watchFirstPacket(socket: Duplex): void {
  socket.once('data', (d: Buffer) => firstPackets.set(socket, d.subarray(0, MAX_HEADER_BYTES)));
}

function classify(err: ParserError, socket: Duplex): Answer | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // The start of the request (the first packet, else the one that overflowed): no line end in it means the
      // request line itself (the URL) is what is too long.
      const lineEnd = (firstPackets.get(socket) ?? err.rawPacket)?.indexOf(CRLF) ?? -1;
      if (lineEnd < 0 || lineEnd > MAX_HEADER_BYTES / 2) return { code: 414, message: `the request URI is too long: the request line and headers may be at most ${MAX_HEADER_BYTES} bytes` };
      return { code: 431, message: `the request header fields are too large: the request line and headers may be at most ${MAX_HEADER_BYTES} bytes` };
    }
    case 'HPE_INVALID_METHOD':
      return { code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 408, reason: 'Timeout', message: 'the client did not send a complete request in time' };
    default:
      if (err.code?.startsWith('HPE_')) return { code: 400, reason: 'BadRequest', message: `malformed HTTP request: ${err.message.replace(/^Parse Error: /, '')}` };
      return undefined;
  }
}

function statusResponse(a: Answer): string {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: a.message, code: a.code };
  if (a.reason) status.reason = a.reason;
  const body = JSON.stringify(status);
  return `HTTP/1.1 ${a.code} ${STATUS_CODES[a.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** server.on('clientError'): a Status when the socket can still carry one, then the connection is closed. */
export function answerClientError(err: ParserError, socket: Duplex): void {
  const answer = classify(err, socket);
  if (!answer || err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(statusResponse(answer));
  // Keep reading what the client still sends: closing with unread input makes the kernel send a reset, which can
  // discard the answer before the client reads it. A client that never stops must not keep the socket forever.
  socket.resume();
  (socket as Partial<Socket>).setTimeout?.(10_000, () => socket.destroy());
}

/** server.on('connect'): CONNECT is not an API verb (Node drops such connections unless someone answers). */
export function answerConnect(socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(statusResponse({ code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' }));
}
