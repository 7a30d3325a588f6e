// pods/log, pods/exec, pods/attach and pods/portforward: the API server finds the pod's node (its InternalIP and the
// agent port the node publishes in status.daemonEndpoints) and relays the request to the node agent, streaming the
// answer back (logs) or splicing the two connections of an upgrade (exec, attach, port-forward), as kube-apiserver
// does with the kubelet. Upgrades of any kind pass through untouched (SPDY/3.1, and every WebSocket subprotocol):
// the node agent speaks or translates them.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { queryBool } from '../../lib/api/query.js';
import { parsePorts } from '../../lib/util/streaming.js';
import { relayedRequest, splice } from '../../lib/util/upgrade.js';
import { ApiError, errors } from '../errors.js';
import type { Store } from '../registry/store.js';
import { agentRequest, dialAgent } from './agent-dial.js';

const POD = findByKind('v1', 'Pod')!;
const NODE = findByKind('v1', 'Node')!;

interface Target {
  host: string;
  port: number;
  container: string;
}

/**
 * The node agent serving this pod (and, unless container is false, which of its containers is meant), or a Status
 * error as kube-apiserver words it.
 */
export async function nodeTarget(stores: Map<KindInfo, Store>, namespace: string, podName: string, container: string | null | false): Promise<Target> {
  const pod = await (stores.get(POD) as Store).get(namespace, podName);
  const names = ((pod.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
  let name = container || '';
  if (container === false) {
    // port-forward: the pod's network, no container
  } else if (!name) {
    const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (preferred && names.includes(preferred)) name = preferred;
    else if (names.length === 1) name = names[0] as string;
    else throw errors.badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
  }
  // init and ephemeral containers have logs, exec and attach too, as kube-apiserver allows
  const others = ['initContainers', 'ephemeralContainers'].flatMap((f) => ((pod.spec?.[f] ?? []) as Array<{ name: string }>).map((c) => c.name));
  if (container !== false && !names.includes(name) && !others.includes(name)) throw errors.badRequest(`container ${name} is not valid for pod ${podName}`);
  const nodeName = pod.spec?.nodeName as string | undefined;
  if (!nodeName) throw errors.badRequest(`pod ${podName} does not have a host assigned`);
  let node: KubeObject;
  try {
    node = await (stores.get(NODE) as Store).get(undefined, nodeName);
  } catch {
    throw errors.badRequest(`node "${nodeName}" of pod ${podName} not found`);
  }
  const addr = (node.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port as number | undefined;
  if (!addr || !port) throw errors.badRequest(`node "${nodeName}" doesn't serve logs, exec, attach or port-forward (no agent endpoint)`);
  return { host: addr, port, container: name };
}

const LOG_PARAMS = ['tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes'];
const LOG_FLAGS = ['follow', 'timestamps', 'previous'];

/** GET pods/NAME/log: streams the agent's answer; an agent error becomes a Status with its message. */
export async function proxyLogs(stores: Map<KindInfo, Store>, namespace: string, podName: string, query: URLSearchParams, res: import('node:http').ServerResponse, signal: AbortSignal): Promise<void> {
  const t = await nodeTarget(stores, namespace, podName, query.get('container'));
  const q = new URLSearchParams();
  for (const k of LOG_PARAMS) if (query.get(k) !== null) q.set(k, query.get(k) as string);
  // booleans go on as the agent reads them, whatever spelling the client used (the Python client's True)
  for (const k of LOG_FLAGS) if (queryBool(query, k)) q.set(k, 'true');
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}/${encodeURIComponent(t.container)}?${q}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = agentRequest({ host: t.host, port: t.port, path, method: 'GET', signal }, (up) => {
      // from here the response carries the errors (a reset agent, our abort): each ends the relay, none escapes
      up.on('error', () => undefined);
      resolve(up);
    });
    req.on('error', (e) => reject(errors.internal(`unable to reach the node agent at ${t.host}:${t.port}: ${e.message}`)));
    req.end();
  });
  if (upstream.statusCode !== 200) {
    let text = '';
    for await (const c of upstream) text += String(c);
    throw new ApiError(upstream.statusCode === 404 ? 404 : 400, upstream.statusCode === 404 ? 'NotFound' : 'BadRequest', text.trim());
  }
  if (res.destroyed) {
    upstream.destroy();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  upstream.pipe(res);
  // the relay ends with whichever side goes first: the agent's log ends or fails, or the client leaves
  await new Promise<void>((resolve) => {
    upstream.once('end', resolve);
    upstream.once('close', resolve);
    res.once('close', () => {
      upstream.destroy();
      resolve();
    });
  });
}

/** How long the API server waits for a node agent to accept a streaming connection. */
const AGENT_CONNECT_TIMEOUT_MS = 10_000;

export type StreamSubresource = 'exec' | 'attach' | 'portforward';

/** The node agent's path for a streaming request: the kubelet's, with the options in the kubelet's spelling. */
function agentPath(sub: StreamSubresource, namespace: string, podName: string, container: string, query: URLSearchParams): string {
  const q = new URLSearchParams();
  const ns = encodeURIComponent(namespace);
  const pod = encodeURIComponent(podName);
  if (sub === 'portforward') {
    // pods/portforward's `ports` is the kubelet's `port`
    for (const p of query.getAll('ports')) q.append('port', p);
    const qs = q.toString();
    return `/portForward/${ns}/${pod}${qs ? `?${qs}` : ''}`;
  }
  const flags = { stdin: queryBool(query, 'stdin'), stdout: queryBool(query, 'stdout'), stderr: queryBool(query, 'stderr'), tty: queryBool(query, 'tty') };
  if (flags.tty && flags.stderr) flags.stderr = false; // a terminal has one output stream
  if (sub === 'exec') for (const c of query.getAll('command')) q.append('command', c);
  // the kubelet's spelling of the options: "1" for each stream asked for
  for (const [k, v] of Object.entries(flags)) if (v) q.set(k, '1');
  return `/${sub}/${ns}/${pod}/${encodeURIComponent(container)}?${q}`;
}

/** The options checked as kube-apiserver checks them, before the pod is looked up. */
function checkOptions(sub: StreamSubresource, query: URLSearchParams): void {
  if (sub === 'portforward') {
    const ports = query.getAll('ports');
    if (!ports.length) return; // SPDY clients name ports per stream
    try {
      parsePorts(ports, 'ports');
    } catch (e) {
      throw errors.badRequest((e as Error).message);
    }
    return;
  }
  if (!['stdin', 'stdout', 'stderr'].some((k) => queryBool(query, k))) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
}

/**
 * An exec, attach or port-forward upgrade (WebSocket or SPDY): checks the options as kube-apiserver does, relays
 * the handshake to the agent (whose answer, 101 or a Status, goes back as it is), then splices the two sockets until
 * either side ends. The client socket is already guarded against errors (upgrade.ts); the agent's is guarded here.
 */
export async function proxyStream(sub: StreamSubresource, stores: Map<KindInfo, Store>, namespace: string, podName: string, query: URLSearchParams,
  req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  checkOptions(sub, query);
  const t = await nodeTarget(stores, namespace, podName, sub === 'portforward' ? false : query.get('container'));
  const path = agentPath(sub, namespace, podName, t.container, query);
  if (socket.destroyed) return;
  let upstream: Duplex;
  try {
    upstream = await dialAgent(t.host, t.port, AGENT_CONNECT_TIMEOUT_MS, socket);
  } catch (e) {
    if (socket.destroyed) return; // the client left first; nobody to tell
    throw errors.internal(`unable to reach the node agent at ${t.host}:${t.port}: ${(e as Error).message}`);
  }
  if (socket.destroyed) {
    upstream.destroy(); // the client left just as the agent answered
    return;
  }
  upstream.write(relayedRequest(req.method ?? 'GET', path, `${t.host}:${t.port}`, req.rawHeaders));
  if (head.length) upstream.write(head);
  splice(socket, upstream);
}
