// pods/log and pods/exec: the API server finds the pod's node (its InternalIP and the agent port the node publishes
// in status.daemonEndpoints) and relays the request to the node agent, streaming the answer back (logs) or splicing
// the two connections after the WebSocket upgrade (exec), as kube-apiserver does with the kubelet.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors } from '../errors.js';
import type { Store } from '../registry/store.js';

const POD = findByKind('v1', 'Pod')!;
const NODE = findByKind('v1', 'Node')!;

interface Target {
  host: string;
  port: number;
  container: string;
}

/** The node agent serving this pod's container, or a Status error as kube-apiserver words it. */
export async function nodeTarget(stores: Map<KindInfo, Store>, namespace: string, podName: string, container: string | null): Promise<Target> {
  const pod = await (stores.get(POD) as Store).get(namespace, podName);
  const names = ((pod.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
  let name = container ?? '';
  if (!name) {
    const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (preferred && names.includes(preferred)) name = preferred;
    else if (names.length === 1) name = names[0] as string;
    else throw errors.badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
  }
  if (!names.includes(name)) throw errors.badRequest(`container ${name} is not valid for pod ${podName}`);
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
  if (!addr || !port) throw errors.badRequest(`node "${nodeName}" doesn't serve logs or exec (no agent endpoint)`);
  return { host: addr, port, container: name };
}

const LOG_PARAMS = ['follow', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'previous', 'limitBytes'];

/** GET pods/NAME/log: streams the agent's answer; an agent error becomes a Status with its message. */
export async function proxyLogs(stores: Map<KindInfo, Store>, namespace: string, podName: string, query: URLSearchParams, res: import('node:http').ServerResponse, signal: AbortSignal): Promise<void> {
  const t = await nodeTarget(stores, namespace, podName, query.get('container'));
  const q = new URLSearchParams();
  for (const k of LOG_PARAMS) if (query.get(k) !== null) q.set(k, query.get(k) as string);
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}/${encodeURIComponent(t.container)}?${q}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host: t.host, port: t.port, path, method: 'GET', signal }, resolve);
    req.on('error', (e) => reject(errors.internal(`unable to reach the node agent at ${t.host}:${t.port}: ${e.message}`)));
    req.end();
  });
  if (upstream.statusCode !== 200) {
    let text = '';
    for await (const c of upstream) text += String(c);
    throw new ApiError(upstream.statusCode === 404 ? 404 : 400, upstream.statusCode === 404 ? 'NotFound' : 'BadRequest', text.trim());
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  upstream.pipe(res);
  await new Promise<void>((resolve) => {
    upstream.on('end', resolve);
    upstream.on('error', () => resolve());
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
  });
}

/** An exec upgrade (WebSocket): relays the handshake to the agent, then splices the two sockets. */
export async function proxyExec(stores: Map<KindInfo, Store>, namespace: string, podName: string, query: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const t = await nodeTarget(stores, namespace, podName, query.get('container'));
  const q = new URLSearchParams();
  for (const c of query.getAll('command')) q.append('command', c);
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (query.get(k) !== null) q.set(k, query.get(k) as string);
  const path = `/exec/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}/${encodeURIComponent(t.container)}?${q}`;
  const upstream = connect(t.port, t.host);
  await new Promise<void>((resolve, reject) => {
    upstream.once('connect', resolve);
    upstream.once('error', (e) => reject(errors.internal(`unable to reach the node agent at ${t.host}:${t.port}: ${e.message}`)));
  });
  const hop = new Set(['host', 'content-length', 'authorization']);
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${t.host}:${t.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i] as string;
    if (!hop.has(k.toLowerCase())) lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) upstream.write(head);
  upstream.pipe(socket);
  socket.pipe(upstream);
  const done = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', done);
  socket.on('error', done);
  upstream.on('close', () => socket.end());
  socket.on('close', () => upstream.end());
}
