// Connections from the API server to node agents: TLS only, the API server presenting its kubelet-client
// certificate and checking the agent's certificate against the cluster CA and the node's address (the IP SAN the
// agent's serving certificate carries). node-proxy.ts opens every agent connection through here.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

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

/** A TLS connection to an agent; 'secureConnect' once the agent's certificate checked out, 'error' otherwise. */
export function dialAgent(host: string, port: number): TLSSocket {
  const socket = tlsConnect({ host, port, ...tlsOptions() });
  socket.setNoDelay(true);
  return socket;
}

/** An HTTPS request to an agent (logs); the agent's certificate is checked as in dialAgent. */
export function agentRequest(o: { host: string; port: number; path: string; method: string; signal?: AbortSignal },
  onResponse: (res: IncomingMessage) => void): ClientRequest {
  return httpsRequest({ ...o, ...tlsOptions(), agent: false }, onResponse);
}
