// `port-forward`: local ports forwarded to a pod's ports, as kubectl port-forward does. One SPDY/3.1 connection
// (portforward.k8s.io) to the pod's portforward subresource carries every forwarded connection as a pair of
// streams (`streamType` error and data, with the same `port` and `requestID`); what the runtime says on the error
// stream (a port nobody listens on) is printed, and the forward goes on. The pod going away ends the connection,
// and flotctl with "lost connection to pod", exit 1. TYPE/NAME may be a workload or a Service (its port is mapped to
// the pod's, named ports too).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../lib/api/types.js';
import { resourcePath } from '../../lib/client/rest.js';
import { SpdyConnection } from '../../lib/util/spdy/connection.js';
import { PORT_FORWARD_V1, STREAM_PROTOCOL_HEADER, StreamHeader, StreamType } from '../../lib/util/streaming.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, all } from './flags.js';
import { podRunningTimeout } from './logs.js';
import { parseRef, type Pod } from './podselect.js';
import { handshakeError, targetPod } from './remote-command.js';

const SEE = `\nSee 'flotctl port-forward -h' for help and examples`;

interface PortPair {
  local: number;
  /** As given: a number, or a container port's name (a Service's port number for svc/NAME). */
  remote: string;
}

/** `[LOCAL:]REMOTE`: LOCAL empty or 0 is a random free port; REMOTE a number or a name. */
export function parsePortPair(arg: string): PortPair {
  const parts = arg.split(':');
  if (parts.length > 2) throw new CliError(`error: invalid port format '${arg}'`);
  const [l, r] = parts.length === 2 ? parts : [parts[0], parts[0]];
  const remote = r as string;
  if (!remote || (/^\d+$/.test(remote) ? Number(remote) < 1 || Number(remote) > 65535 : !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(remote))) {
    throw new CliError(`error: Error parsing remote port '${remote}': invalid port`);
  }
  if (l === '' || l === undefined) return { local: 0, remote };
  if (!/^\d+$/.test(l) || Number(l) > 65535) throw new CliError(`error: Error parsing local port '${l}': strconv.ParseUint: parsing "${l}": invalid syntax`);
  return { local: Number(l), remote };
}

interface ContainerPort {
  name?: string;
  containerPort: number;
}

function containerPorts(pod: Pod): ContainerPort[] {
  return ((pod.spec?.containers ?? []) as Array<{ ports?: ContainerPort[] }>).flatMap((c) => c.ports ?? []);
}

/** A pod's port by number or by its name. */
function podPort(pod: Pod, remote: string): number {
  if (/^\d+$/.test(remote)) return Number(remote);
  const p = containerPorts(pod).find((c) => c.name === remote);
  if (!p) throw new CliError(`error: Pod '${pod.metadata.name}' does not have a named port '${remote}'`);
  return p.containerPort;
}

/** A Service's port (by number or name) to the pod's port its targetPort names. */
function servicePort(svc: KubeObject, pod: Pod, remote: string): number {
  const ports = ((svc.spec?.ports ?? []) as Array<{ name?: string; port: number; targetPort?: number | string }>);
  const sp = ports.find((p) => (/^\d+$/.test(remote) ? p.port === Number(remote) : p.name === remote));
  if (!sp) throw new CliError(`error: Service ${svc.metadata.name} does not have a service port ${remote}`);
  const target = sp.targetPort ?? sp.port;
  return typeof target === 'number' ? target : podPort(pod, target);
}

/** Opens the SPDY connection to the pod's portforward subresource. */
async function dial(ctx: Ctx, pod: Pod): Promise<SpdyConnection> {
  const c = ctx.config;
  const url = new URL(`${resourcePath(ctx.kind('pods'), pod.metadata.namespace, pod.metadata.name)}/portforward`, c.server);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', [STREAM_PROTOCOL_HEADER]: PORT_FORWARD_V1, ...(c.token ? { Authorization: `Bearer ${c.token}` } : {}) },
      ca: c.caData, cert: c.certData, key: c.keyData, rejectUnauthorized: !c.insecureSkipTLSVerify,
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      if (res.headers[STREAM_PROTOCOL_HEADER.toLowerCase()] !== PORT_FORWARD_V1) {
        socket.destroy();
        reject(new CliError(`error: unable to upgrade connection: the server did not agree on ${PORT_FORWARD_V1}`));
        return;
      }
      socket.setNoDelay(true);
      if (head.length) socket.unshift(head);
      resolve(new SpdyConnection(socket, 'client'));
    });
    req.on('response', (res) => void handshakeError(res).then(reject, reject));
    req.on('error', reject);
    req.end();
  });
}

/** The local addresses --address names ("localhost" is both loopbacks, as kubectl binds them). */
function addresses(p: Parsed): string[] {
  const given = all(p, 'address').flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
  return (given.length ? given : ['localhost']).flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
}

function listen(address: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** One forwarded connection: an error and a data stream on the SPDY connection, the data stream spliced to it. */
function forward(ctx: Ctx, conn: SpdyConnection, socket: Duplex, local: number, remote: number, requestId: number): void {
  const headers = { [StreamHeader.port]: [String(remote)], [StreamHeader.requestId]: [String(requestId)] };
  socket.on('error', () => undefined);
  if (conn.closed) {
    socket.destroy();
    return;
  }
  const error = conn.createStream({ [StreamHeader.type]: [StreamType.error], ...headers });
  error.end();
  let message = '';
  error.on('data', (d: Buffer) => (message += String(d)));
  error.on('error', () => undefined);
  error.on('end', () => {
    if (message) ctx.warn(`error: an error occurred forwarding ${local} -> ${remote}: ${message}\n`);
  });
  error.resume();
  const data = conn.createStream({ [StreamHeader.type]: [StreamType.data], ...headers });
  data.on('error', () => socket.destroy());
  socket.on('close', () => data.destroy());
  data.on('close', () => socket.end());
  socket.pipe(data);
  data.pipe(socket);
}

export async function portForward(ctx: Ctx, p: Parsed): Promise<void> {
  if (p.args.length < 2) throw new CliError(`error: TYPE/NAME and list of ports are required for port-forward${SEE}`);
  const [target, ...portArgs] = p.args as [string, ...string[]];
  const pairs = portArgs.map(parsePortPair);
  const pod = await targetPod(ctx, target, podRunningTimeout(p, SEE));
  if (pod.status?.phase !== 'Running') throw new CliError(`error: unable to forward port because pod is not running. Current status=${pod.status?.phase ?? ''}`);
  const ref = parseRef(ctx, target);
  const svc = ref.kind.kind === 'Service' ? await ctx.client.get(ref.kind, ref.name, { namespace: ctx.namespace }) : undefined;
  const remotes = pairs.map((pp) => (svc ? servicePort(svc, pod, pp.remote) : podPort(pod, pp.remote)));

  const conn = await dial(ctx, pod);
  const servers: Server[] = [];
  let requestId = 0;
  try {
    for (const [i, pp] of pairs.entries()) {
      const remote = remotes[i] as number;
      let port = pp.local;
      let bound = 0;
      let lastError: Error | undefined;
      for (const address of addresses(p)) {
        let server: Server;
        try {
          server = await listen(address, port);
        } catch (e) {
          lastError = e as Error;
          continue; // kubectl goes on when one of the addresses can't be bound (no IPv6 here, say)
        }
        port = (server.address() as { port: number }).port;
        bound++;
        servers.push(server);
        process.stdout.write(`Forwarding from ${address.includes(':') ? `[${address}]` : address}:${port} -> ${remote}\n`);
        server.on('connection', (socket) => {
          process.stdout.write(`Handling connection for ${port}\n`);
          forward(ctx, conn, socket, port, remote, requestId++);
        });
      }
      if (!bound) throw new CliError(`error: unable to listen on any of the requested ports: [{${pp.local} ${remote}}]${lastError ? ` (${lastError.message})` : ''}`);
    }
  } catch (e) {
    conn.destroy();
    for (const s of servers) s.close();
    throw e;
  }

  // runs until interrupted (exit 0) or the connection to the pod is lost (exit 1)
  const lost = await new Promise<boolean>((resolve) => {
    const stop = () => resolve(false);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    conn.once('close', () => resolve(true));
  });
  for (const s of servers) {
    s.close();
    s.unref();
  }
  conn.destroy();
  if (lost) throw new CliError('error: lost connection to pod');
  ctx.exitCode = 0;
}

export const command: Command = {
  short: 'Forward one or more local ports to a pod',
  flags: { address: {}, 'pod-running-timeout': {} },
  run: portForward,
};
