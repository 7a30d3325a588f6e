// The upgrade handler on a real loopback HTTP server with fake stores: every refusal is an HTTP response carrying a
// Status, a client that resets before (or while) we answer costs nothing, and an exec relay ends on both sides.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { authorizationChain, bootstrapPolicy, staticPolicySource } from '../auth/rbac/chain.js';
import { RequestGate } from '../auth/gate.js';
import { createCA, issue } from '../auth/pki.js';
import { configureAgentTls } from './agent-dial.js';
import { errors } from '../errors.js';
import { builtinKinds } from '../registry/kinds/index.js';
import type { Store } from '../registry/store.js';
import { UpgradeHandler } from './upgrade.js';

const POD = findByKind('v1', 'Pod') as KindInfo;
const NODE = findByKind('v1', 'Node') as KindInfo;
const CM = findByKind('v1', 'ConfigMap') as KindInfo;

const DEFS = await builtinKinds();

/** The stand-in agent's serving certificate; the API server side dials agents over TLS with its own. */
let agentServing: { cert: string; key: string };
before(async () => {
  const ca = await createCA('test-ca');
  agentServing = await issue(ca, { commonName: 'agent', usage: 'server', ipAddresses: ['127.0.0.1'] });
  const client = await issue(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' });
  configureAgentTls({ ca: ca.cert, ...client });
});

/** A store of the kind's real definition that knows some objects by name; `gate` holds every get until released. */
function fakeStore(kind: KindInfo, objects: Record<string, KubeObject>, gate?: Promise<void>): Store {
  return {
    kind,
    def: DEFS.find((d) => d.info === kind),
    async get(_ns: string | undefined, name: string) {
      await gate;
      const o = objects[name];
      if (!o) throw errors.notFound(kind, name);
      return o;
    },
  } as unknown as Store;
}

async function serve(stores: Map<KindInfo, Store>): Promise<{ server: Server; port: number; upgrades: UpgradeHandler }> {
  const upgrades = new UpgradeHandler({ stores, gate: adminGate(), bookmarkIntervalMs: 30_000 });
  const server = createServer((_req, res) => res.end());
  server.on('upgrade', upgrades.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  after(() => {
    upgrades.close();
    server.closeAllConnections();
    server.close();
  });
  return { server, port, upgrades };
}

const WS_HEADERS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** Sends one raw upgrade request and reads the whole answer until the server closes. */
function rawUpgrade(port: number, path: string, headers = WS_HEADERS, method = 'GET'): Promise<{ code: number; body: any; text: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`${method} ${path} HTTP/1.1\r\nHost: t\r\n${headers}\r\n`));
    let text = '';
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => {
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      resolve({ code: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), body: parsed, text });
    });
  });
}

function waitFor(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (fn()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const pod = (name: string, nodeName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c' }] } });

test('refused upgrades answer with a Kubernetes Status and close', async () => {
  const { port, upgrades } = await serve(new Map([[POD, fakeStore(POD, {})], [CM, fakeStore(CM, {})]]));
  const cases: Array<[string, string, number, RegExp, string?, string?]> = [
    ['unknown resource', '/api/v1/namespaces/default/widgets?watch=1', 404, /the server could not find the requested resource/],
    ['unknown subresource', '/api/v1/namespaces/default/pods/p/bogus', 404, /the server could not find the requested resource/],
    ['not a watch', '/api/v1/namespaces/default/configmaps/x', 400, /served for watch requests, pods\/exec, pods\/attach and pods\/portforward only/],
    ['not a resource', '/healthz', 400, /served for watch requests, pods\/exec, pods\/attach and pods\/portforward only/],
    ['a proxy', '/api/v1/namespaces/default/pods/p/proxy', 405, /^proxy is not supported on resources of kind "pods"$/],
    ['a SPDY watch', '/api/v1/namespaces/default/configmaps?watch=1', 400, /upgrades to WebSocket only, not "SPDY\/3.1"/, 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n'],
    // kubectl's fallback after a refused WebSocket exec: the same reason again, not "SPDY is not served"
    ['a SPDY exec in a missing pod', '/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=1', 404, /^pods "p" not found$/, 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n'],
    ['a WebSocket without its key', '/api/v1/namespaces/default/configmaps?watch=true', 400, /unable to upgrade connection: Missing or invalid Sec-WebSocket-Key header/, 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n'],
    ['a malformed path', '/api/v1/namespaces/%ZZ/configmaps?watch=true', 400, /invalid URL escape "%ZZ"/],
    ['an exec with no stream', '/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=False&stdin=false', 400, /^you must specify at least 1 of stdin, stdout, stderr$/],
    ['an exec in a missing pod', '/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=True', 404, /^pods "p" not found$/],
    ['an attach with no stream', '/api/v1/namespaces/default/pods/p/attach?stdin=0', 400, /^you must specify at least 1 of stdin, stdout, stderr$/],
    ['an attach to a missing pod', '/api/v1/namespaces/default/pods/p/attach?stdout=1', 404, /^pods "p" not found$/, 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n'],
    ['a port that is not a number', '/api/v1/namespaces/default/pods/p/portforward?ports=http', 400, /^unable to parse "http" as a port/],
    ['port 0', '/api/v1/namespaces/default/pods/p/portforward?ports=80,0', 400, /^port "80,0" must be > 0$/],
    ['a port-forward to a missing pod', '/api/v1/namespaces/default/pods/p/portforward', 404, /^pods "p" not found$/, 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n'],
  ];
  for (const [what, path, code, message, headers] of cases) {
    const r = await rawUpgrade(port, path, headers);
    assert.equal(r.code, code, `${what}: ${r.text}`);
    assert.equal(r.body?.kind, 'Status', `${what}: ${r.text}`);
    assert.equal(r.body.code, code, what);
    assert.match(r.body.message, message, what);
  }
  const post = await rawUpgrade(port, '/api/v1/namespaces/default/configmaps?watch=true', WS_HEADERS, 'POST');
  assert.equal(post.code, 405);
  await waitFor('every refused connection to close', () => upgrades.connections === 0);
});

test('a client that resets while its upgrade is being looked at costs nothing: no write error, no socket left', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const { port, upgrades } = await serve(new Map([[POD, fakeStore(POD, {}, gate)]]));
  const clients: Socket[] = [];
  for (let i = 0; i < 50; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', r));
    s.write(`GET /api/v1/namespaces/default/pods/p${i}/exec?command=sh&stdout=true HTTP/1.1\r\nHost: t\r\n${WS_HEADERS}\r\n`);
    clients.push(s);
  }
  await waitFor('the server to hold 50 upgrades', () => upgrades.connections === 50);
  for (const s of clients) s.resetAndDestroy();
  await new Promise((r) => setTimeout(r, 50));
  // the lookups now fail (404) and the refusals meet sockets that were reset: without the guard, the first write
  // error (EPIPE/ECONNRESET) is an unhandled 'error' event and ends the process
  release();
  await waitFor('every reset connection to be let go', () => upgrades.connections === 0);
  const r = await rawUpgrade(port, '/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=true');
  assert.equal(r.code, 404, 'still serving');
});

test('an exec relay passes the streams as the kubelet spells them and ends on both sides when the client resets', async () => {
  // a stand-in node agent: answers the exec upgrade, then says hello on stdout and echoes stdin
  const agentSockets = new Set<import('node:stream').Duplex>();
  const seen: string[] = [];
  const seenRaw: Array<{ method: string; url: string; upgrade: string; protocol: string; authorization?: string }> = [];
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  const agent = createHttpsServer(agentServing);
  agent.on('upgrade', (req, socket, head) => {
    seen.push(req.url ?? '');
    if (!/^\/exec\//.test(req.url ?? '')) {
      // attach and port-forward: the stand-in notes what it was asked and answers with a teapot
      seenRaw.push({ method: req.method ?? '', url: req.url ?? '', upgrade: String(req.headers.upgrade), protocol: String(req.headers['sec-websocket-protocol'] ?? req.headers['x-stream-protocol-version']), authorization: req.headers.authorization });
      agentSockets.add(socket);
      socket.once('close', () => agentSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 418 I\'m a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    agentSockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => agentSockets.delete(socket));
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.send(Buffer.from('\x01hello'));
      ws.on('message', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([1]), d.subarray(1)])));
    });
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  after(() => {
    agent.closeAllConnections();
    agent.close();
  });
  const agentPort = (agent.address() as AddressInfo).port;
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } };
  const { port, upgrades } = await serve(new Map([[POD, fakeStore(POD, { p: pod('p', 'n1') })], [NODE, fakeStore(NODE, { n1: node })]]));

  // a whole session through the relay, with the Python client's spelling of the options
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&command=true&stdin=True&stdout=True&stderr=False&tty=False`, ['v4.channel.k8s.io']);
  const got: string[] = [];
  ws.on('message', (d: Buffer) => got.push(d.subarray(1).toString()));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.from('\x00ping'));
  await waitFor('the echo', () => got.includes('ping'));
  assert.deepEqual(got, ['hello', 'ping']);
  assert.equal(seen[0], '/exec/default/p/c?command=sh&command=-c&command=true&stdin=1&stdout=1');
  ws.close();
  await waitFor('the agent side to close after an orderly close', () => agentSockets.size === 0 && upgrades.connections === 0);

  // attach and port-forward go the same way, WebSocket or SPDY, the method and protocol headers as the client sent
  // them, the options in the kubelet's spelling (pods/portforward's `ports` is the kubelet's `port`)
  seenRaw.length = 0;
  for (const [method, path, headers] of [
    ['GET', '/api/v1/namespaces/default/pods/p/attach?stdin=true&stdout=true&stderr=true&tty=true', `${WS_HEADERS}Sec-WebSocket-Protocol: v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.c2VjcmV0\r\n`],
    ['POST', '/api/v1/namespaces/default/pods/p/attach?container=c&stderr=true', 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n'],
    ['GET', '/api/v1/namespaces/default/pods/p/portforward?ports=80&ports=8080,9090', `${WS_HEADERS}Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n`],
    ['POST', '/api/v1/namespaces/default/pods/p/portforward', 'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nAuthorization: Bearer secret\r\n'],
  ] as const) {
    const r = await rawUpgrade(port, path, headers, method);
    assert.equal(r.code, 418, r.text);
  }
  assert.deepEqual(seenRaw.map((r) => [r.method, r.url, r.upgrade, r.protocol]), [
    ['GET', '/attach/default/p/c?stdin=1&stdout=1&tty=1', 'websocket', 'v5.channel.k8s.io'],
    ['POST', '/attach/default/p/c?stderr=1', 'SPDY/3.1', 'v4.channel.k8s.io'],
    ['GET', '/portForward/default/p?port=80&port=8080%2C9090', 'websocket', 'v4.channel.k8s.io'],
    ['POST', '/portForward/default/p', 'SPDY/3.1', 'portforward.k8s.io'],
  ]);
  assert.equal(seenRaw[3]?.authorization, undefined, 'the client\'s credentials stay at the API server');
  // (and a browser's token offered as a subprotocol: the first row's v5 came with one)
  await waitFor('the answered relays to close', () => agentSockets.size === 0 && upgrades.connections === 0);

  // 200 sessions reset right after the 101: each one's agent connection goes too
  for (let i = 0; i < 200; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', r));
    s.write(`GET /api/v1/namespaces/default/pods/p/exec?command=sh&stdout=1 HTTP/1.1\r\nHost: t\r\n${WS_HEADERS}Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`);
    await new Promise<void>((r) => s.once('data', () => r()));
    s.resetAndDestroy();
  }
  await waitFor('every relay to end on both sides', () => agentSockets.size === 0 && upgrades.connections === 0);

  // the agent going away mid-session ends the client's connection too
  const c = connect(port, '127.0.0.1');
  c.on('error', () => undefined);
  await new Promise<void>((r) => c.once('connect', r));
  c.write(`GET /api/v1/namespaces/default/pods/p/exec?command=sh&stdout=1 HTTP/1.1\r\nHost: t\r\n${WS_HEADERS}\r\n`);
  await new Promise<void>((r) => c.once('data', () => r()));
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  // (over TLS: the agent's socket goes away at once, a reset of the TLS layer is not possible from here)
  for (const s of agentSockets) s.destroy();
  await closed;
  await waitFor('the relay to end', () => upgrades.connections === 0);
});

test('an exec whose node agent cannot be reached is refused with a 500 Status naming it', async () => {
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: deadPort } } } };
  const { port } = await serve(new Map([[POD, fakeStore(POD, { p: pod('p', 'n1') })], [NODE, fakeStore(NODE, { n1: node })]]));
  const r = await rawUpgrade(port, '/api/v1/namespaces/default/pods/p/exec?command=sh&stdout=true');
  assert.equal(r.code, 500);
  assert.match(r.body.message, new RegExp(`unable to reach the node agent at 127.0.0.1:${deadPort}: .*ECONNREFUSED`));
});

/** Every request authenticated as an admin (these tests are about the upgrade path, not about who may use it). */
function adminGate(): RequestGate {
  return new RequestGate({ authenticators: [{ method: 'test', authenticate: async () => ({ user: { username: 'test-admin', groups: ['system:masters'] } }) }], authorizer: authorizationChain(staticPolicySource(bootstrapPolicy())).chain });
}
