// The node agent's exec and log server with a fake CRI and a stand-in for containerd's streaming server: options in
// any Kubernetes spelling, refusals as a Status, and sessions that end on both sides whoever leaves first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, WebSocket } from 'ws';
import type { KubeObject } from '../../lib/api/types.js';
import type { CriClient } from '../cri/client.js';
import type { Container } from '../cri/types.js';
import { LABEL_CONTAINER_NAME } from '../pods/config.js';
import { AgentServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-server-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

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

interface ExecCall {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** A stand-in for containerd's streaming server: says "out" on stdout, echoes stdin, counts its connections. */
async function runtimeStreams() {
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'v4.channel.k8s.io' });
  const server = createServer();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.send(Buffer.from('\x01out'));
      ws.on('message', (d: Buffer) => {
        if (d.subarray(1).toString() === 'exit') {
          ws.send(Buffer.from('\x03{"metadata":{},"status":"Success"}'));
          ws.close(1000);
        } else ws.send(Buffer.concat([Buffer.from([1]), d.subarray(1)]));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { sockets, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/exec/token` };
}

async function agentServer(execUrl: string, logPath = '') {
  const calls: ExecCall[] = [];
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c' }] } };
  const container = { id: 'c1', state: 'CONTAINER_RUNNING', metadata: { name: 'c', attempt: 0 } } as unknown as Container;
  const cri = {
    listContainers: async (f: { labelSelector: Record<string, string> }) => (f.labelSelector[LABEL_CONTAINER_NAME] === 'c' ? [container] : []),
    exec: async (req: ExecCall) => {
      calls.push(req);
      return execUrl;
    },
    containerStatus: async () => ({ status: { logPath, state: 'CONTAINER_RUNNING' } }),
  } as unknown as CriClient;
  const agent = new AgentServer({ podByName: (ns, name) => (ns === 'default' && name === 'p' ? pod : undefined) }, cri);
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  await agent.listen(port, '127.0.0.1');
  after(() => agent.close());
  return { agent, port, calls };
}

function refusal(port: number, path: string, protocol = 'v4.channel.k8s.io'): Promise<{ code: number; body: { kind: string; code: number; reason: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, [protocol]);
    ws.on('open', () => reject(new Error('upgraded')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

test('exec reads the streams in any Kubernetes spelling, relays both ways, and ends when the process does', async () => {
  const rt = await runtimeStreams();
  const { port, calls, agent } = await agentServer(rt.url);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=sh&stdin=True&stdout=True&stderr=True&tty=False`, ['v4.channel.k8s.io']);
  const got: string[] = [];
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  ws.on('message', (d: Buffer) => got.push(`${d[0]}:${d.subarray(1)}`));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  assert.deepEqual(calls, [{ containerId: 'c1', cmd: ['sh'], tty: false, stdin: true, stdout: true, stderr: true }]);
  await waitFor('stdout', () => got.includes('1:out'));
  ws.send(Buffer.from('\x00ping'));
  await waitFor('the echo', () => got.includes('1:ping'));
  ws.send(Buffer.from('\x00exit'));
  await closed;
  assert.deepEqual(got, ['1:out', '1:ping', '3:{"metadata":{},"status":"Success"}']);
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0);
});

test('a client that resets mid-session ends the runtime stream too; one that resets before the answer costs nothing', async () => {
  const rt = await runtimeStreams();
  const { port, agent } = await agentServer(rt.url);
  for (let i = 0; i < 100; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', r));
    s.write(`GET /exec/default/p/c?command=sh&stdout=1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`);
    if (i % 2) {
      let seen = '';
      await new Promise<void>((r) => s.on('data', (d) => ((seen += d.toString('latin1')).includes('out') ? r() : undefined)));
    }
    s.resetAndDestroy();
  }
  await waitFor('every session to end on both sides', () => rt.sockets.size === 0 && agent.connections === 0);
});

test('refused execs answer with a Status: no stream, no command, an unsupported protocol, an unknown pod', async () => {
  const rt = await runtimeStreams();
  const { port, calls } = await agentServer(rt.url);
  const none = await refusal(port, '/exec/default/p/c?command=sh&stdin=False&stdout=false&stderr=0');
  assert.deepEqual([none.code, none.body.kind, none.body.reason, none.body.message], [400, 'Status', 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr']);
  const noCommand = await refusal(port, '/exec/default/p/c?stdout=true');
  assert.equal(noCommand.body.message, 'you must specify at least one command for the container');
  const v1 = await refusal(port, '/exec/default/p/c?command=sh&stdout=true', 'base64.channel.k8s.io');
  assert.equal(v1.code, 400);
  assert.equal(v1.body.message, 'unable to upgrade connection: requested protocol(s) are not supported: [base64.channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]');
  const gone = await refusal(port, '/exec/default/nope/c?command=sh&stdout=true');
  assert.deepEqual([gone.code, gone.body.reason, gone.body.message], [404, 'NotFound', 'pod "nope" not found on this node']);
  // kubectl's SPDY fallback: the request's own fault first, then that the agent speaks WebSocket only
  const spdy = (path: string) => new Promise<{ code: number; message: string }>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`POST ${path} HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`));
    let text = '';
    s.on('data', (d) => (text += String(d)));
    s.on('error', reject);
    s.on('close', () => resolve({ code: Number(text.slice(9, 12)), message: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).message }));
  });
  assert.deepEqual(await spdy('/exec/default/p/zz?command=sh&stdout=1'), { code: 400, message: 'container zz is not valid for pod p' });
  assert.deepEqual(await spdy('/exec/default/p/c?command=sh&stdout=1'), { code: 400, message: 'unable to upgrade connection: the node agent serves exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io), not "SPDY/3.1"' });
  const bad = await refusal(port, '/exec/default/%ZZ/c?command=sh&stdout=true');
  assert.equal(bad.code, 400);
  assert.deepEqual(calls, [], 'no session was asked of the runtime');
});

test('a followed log reads Kubernetes booleans and stops when its client resets', async () => {
  const logPath = join(dir, 'c.log');
  writeFileSync(logPath, '2024-01-02T03:04:05.000000000Z stdout F one\n2024-01-02T03:04:06.000000000Z stdout F two\n');
  const { port } = await agentServer('', logPath);
  const body = await new Promise<string>((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/containerLogs/default/p/c?timestamps=True&tailLines=1', agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.equal(body, '2024-01-02T03:04:06.000000000Z two\n');
  // follow=True keeps the stream open; a reset client ends it: the log file is closed again
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.once('connect', r));
  s.write('GET /containerLogs/default/p/c?follow=True HTTP/1.1\r\nHost: a\r\n\r\n');
  let seen = '';
  await new Promise<void>((r) => s.on('data', (d) => ((seen += String(d)).includes('two') ? r() : undefined)));
  assert.match(seen, /^HTTP\/1\.1 200 /);
  s.resetAndDestroy();
  await waitFor('the follow to stop and close the log file', () => fds() <= before);
  const again = await new Promise<number>((resolve) => httpGet({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => resolve(res.statusCode ?? 0)));
  assert.equal(again, 200);
});
