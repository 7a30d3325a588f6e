// Connections from the API server to node agents: TLS only, the API server presenting its kubelet-client
// certificate and checking the agent's certificate against the cluster CA and the node's address (the IP SAN the
// agent's serving certificate carries). node-proxy.ts opens every agent connection through here.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { whenReady } from '../../lib/util/upgrade.js';

export interface AgentTls {
  ca: string;
  cert: string;
  key: string;
}

let credentials: AgentTls | undefined;

/** Set once by the API server at start. */
export function configureAgentTls(c: AgentTls | undefined): void {
  credentials = c;
}

function tlsOptions(): AgentTls & { minVersion: 'TLSv1.2' } {
  if (!credentials) throw new Error('this API server has no client certificate for node agents (--kubelet-client-certificate)');
  return { ...credentials, minVersion: 'TLSv1.2' };
}

/**
 * A TLS connection to an agent, once the agent's certificate checked out. Rejects when it fails or takes longer than
 * timeoutMs, and gives up (destroying it) if `client` goes away first (lib/util/upgrade.ts whenReady).
 */
export async function dialAgent(host: string, port: number, timeoutMs: number, client?: Duplex): Promise<TLSSocket> {
  const upstream = tlsConnect({ host, port, ...tlsOptions() });
  upstream.setNoDelay(true);
  return whenReady(upstream, 'secureConnect', timeoutMs, client);
}

/** An HTTPS request to an agent (logs); the agent's certificate is checked as in dialAgent. */
export function agentRequest(o: { host: string; port: number; path: string; method: string; signal?: AbortSignal },
  onResponse: (res: IncomingMessage) => void): ClientRequest {
  return httpsRequest({ ...o, ...tlsOptions(), agent: false }, onResponse);
}
