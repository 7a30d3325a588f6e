// Connections from the API server to node agents: TLS only, the API server presenting its kubelet-client
// certificate and checking the agent's certificate against the cluster CA and the node's address (the IP SAN the
// agent's serving certificate carries). node-proxy.ts and the metrics scrape open every agent connection through here.
// One TLS context serves every connection (parsing the CA, certificate and key for each cost more than the
// handshake), and each agent's latest session ticket is offered on the next connection to it, as Node's https.Agent
// does: a resumed handshake skips both sides' signatures. A ticket is only ever offered to the address whose
// certificate checked out when it was issued; the agent may refuse it, which costs a full handshake, no more.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { whenReady } from '../../lib/util/upgrade.js';

export interface AgentTls {
  ca: string;
  cert: string;
  key: string;
}

/** Tickets kept, one per agent address (the oldest goes first): a node agent per node. */
const MAX_SESSIONS = 1024;

let credentials: AgentTls | undefined;
let context: SecureContext | undefined;
const sessions = new Map<string, Buffer>();

/** Set once by the API server at start (again in tests: every context and ticket of the old credentials goes). */
export function configureAgentTls(c: AgentTls | undefined): void {
  credentials = c;
  context = undefined;
  sessions.clear();
}

function tlsOptions(host: string, port: number): { secureContext: SecureContext; session?: Buffer } {
  if (!credentials) throw new Error('this API server has no client certificate for node agents (--kubelet-client-certificate)');
  context ??= createSecureContext({ ...credentials, minVersion: 'TLSv1.2' });
  const session = sessions.get(`${host}:${port}`);
  return { secureContext: context, ...(session ? { session } : {}) };
}

/** Keeps the socket's newest ticket for its agent; forgets the agent's ticket when the connection fails. */
function remember(socket: TLSSocket, host: string, port: number): void {
  const key = `${host}:${port}`;
  const issuedFor = context;
  const keep = (s: Buffer) => {
    if (context !== issuedFor) return;
    sessions.delete(key);
    sessions.set(key, s);
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
  };
  // a TLS 1.2 ticket comes before the certificate is checked: it is kept once it has been (secureConnect comes only then)
  socket.on('session', (s: Buffer) => (socket.authorized ? keep(s) : socket.once('secureConnect', () => keep(s))));
  socket.once('error', () => sessions.delete(key));
}

/** The agent addresses a ticket is held for (for tests). */
export function agentSessions(): string[] {
  return [...sessions.keys()];
}

/**
 * A TLS connection to an agent, once the agent's certificate checked out. Rejects when it fails or takes longer than
 * timeoutMs, and gives up (destroying it) if `client` goes away first (lib/util/upgrade.ts whenReady).
 */
export async function dialAgent(host: string, port: number, timeoutMs: number, client?: Duplex): Promise<TLSSocket> {
  const upstream = tlsConnect({ host, port, ...tlsOptions(host, port) });
  remember(upstream, host, port);
  upstream.setNoDelay(true);
  return whenReady(upstream, 'secureConnect', timeoutMs, client);
}

/** An HTTPS request to an agent (logs, stats); the agent's certificate is checked as in dialAgent. */
export function agentRequest(o: { host: string; port: number; path: string; method: string; signal?: AbortSignal },
  onResponse: (res: IncomingMessage) => void): ClientRequest {
  const req = httpsRequest({ ...o, ...tlsOptions(o.host, o.port), agent: false }, onResponse);
  req.once('socket', (s) => remember(s as TLSSocket, o.host, o.port));
  return req;
}
