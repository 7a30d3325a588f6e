// The x509 client-certificate authenticator: the TLS layer has already checked the peer's certificate against the
// client CA (the server asks for a certificate but lets the handshake go on without one, so that tokens and the
// anonymous health checks still work); here a verified certificate becomes a user (CN = name, each O = a group), and
// a certificate that failed verification (another CA, expired) is an authentication error: 401, never anonymous.
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { AuthResponse, RequestAuthenticator } from './index.js';

interface Verdict {
  result?: AuthResponse;
  error?: string;
  /** ms since the epoch: a kept-alive connection outliving its certificate stops authenticating. */
  notAfter: number;
}

export class X509Authenticator implements RequestAuthenticator {
  readonly method = 'x509';
  /**
   * One verdict per TLS connection: the certificate cannot change on a connection, so what Kubernetes caches per
   * certificate we keep per socket, and a kept-alive connection pays for the parsing once.
   */
  private readonly verdicts = new WeakMap<TLSSocket, Verdict>();

  async authenticate(req: IncomingMessage): Promise<AuthResponse | undefined> {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    let v = this.verdicts.get(socket);
    if (!v) {
      v = verdict(socket);
      this.verdicts.set(socket, v);
    }
    if (v.error) throw new Error(v.error);
    if (!v.result) return undefined;
    if (Date.now() > v.notAfter) throw new Error('verifying certificate: x509: certificate has expired or is not yet valid');
    return v.result;
  }
}

function verdict(socket: TLSSocket): Verdict {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return { notAfter: Infinity }; // no certificate offered
  if (!socket.authorized) return { error: `verifying certificate: ${String(socket.authorizationError ?? 'unknown error')}`, notAfter: 0 };
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const name = list(peer.subject?.CN)[0] ?? '';
  const notAfter = Date.parse(peer.valid_to);
  // a certificate without a common name names nobody: Kubernetes passes it on to the other authenticators
  if (!name) return { notAfter };
  return { result: { user: { username: name, groups: list(peer.subject?.O) } }, notAfter };
}
