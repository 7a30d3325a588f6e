// The node agent's streaming and log server with a fake CRI and a stand-in for containerd's streaming server
// (fake-runtime.ts): exec and attach over every transport kubectl and the client libraries use (WebSocket v4
// spliced to the runtime, v5 translated to SPDY, SPDY spliced), options in any Kubernetes spelling, refusals as a
// Status, and sessions that end on both sides whoever leaves first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { SpdyStream } from '../../lib/util/spdy/connection.js';
import { refusal, setup, spdyClient, waitFor } from './fake-runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-server-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function collect(s: SpdyStream): { text: () => string; ended: Promise<void> } {
  let text = '';
  s.on('data', (d: Buffer) => (text += String(d)));
  return { text: () => text, ended: new Promise((r) => s.once('end', () => r())) };
}

test('exec over WebSocket v4 goes to the runtime as the client sent it; both sides end when the process does', async () => {
  const { rt, fc, port, agent } = await setup();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=sh&stdin=True&stdout=True&stderr=True&tty=False`, ['v4.channel.k8s.io']);
  const got: string[] = [];
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  ws.on('message', (d: Buffer) => got.push(`${d[0]}:${d.subarray(1)}`));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  assert.deepEqual(fc.calls, [{ rpc: 'Exec', req: { containerId: 'c1', cmd: ['sh'], tty: false, stdin: true, stdout: true, stderr: true } }]);
  assert.deepEqual(rt.requests.map((r) => [r.url, r.method, r.upgrade]), [['/exec/tok1', 'GET', 'websocket']]);
  await waitFor('stdout', () => got.includes('1:out'));
  ws.send(Buffer.from('\x00ping'));
  await waitFor('the echo', () => got.includes('1:ping'));
  ws.send(Buffer.from('\x00exit'));
  await closed;
  assert.deepEqual(got, ['1:out', '1:ping', '3:{"metadata":{},"status":"Success"}']);
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('exec over WebSocket v5 is translated to SPDY: stdin closed by the client (channel 255) ends the process\'s input', async () => {
  const { rt, fc, port, agent } = await setup();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/default/p/c?command=cat&stdin=1&stdout=1&stderr=1`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const got: string[] = [];
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('message', (d: Buffer) => got.push(`${d[0]}:${d.subarray(1)}`));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  assert.equal(fc.calls[0]?.rpc, 'Exec');
  assert.deepEqual(rt.requests.map((r) => [r.method, r.upgrade, r.protocols]), [['POST', 'SPDY/3.1', 'v4.channel.k8s.io']]);
  await waitFor('stdout', () => got.includes('1:out'));
  ws.send(Buffer.from('\x00ping'));
  await waitFor('the echo', () => got.includes('1:ping'));
  ws.send(Buffer.from([255, 0])); // close stdin
  assert.equal(await closed, 1000);
  assert.deepEqual(got, ['1:out', '1:ping', '3:{"metadata":{},"status":"Success"}']);
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('exec and attach over SPDY (kubectl 1.27-1.29) reach the runtime untouched, with the same streams and Status', async () => {
  const { rt, fc, port, agent } = await setup();
  for (const kind of ['exec', 'attach'] as const) {
    const path = kind === 'exec' ? '/exec/default/p/c?command=sh&stdin=1&stdout=1&tty=1' : '/attach/default/p/c?stdin=1&stdout=1&stderr=1';
    const { conn, protocol } = await spdyClient(port, path, ['v4.channel.k8s.io', 'v3.channel.k8s.io']);
    assert.equal(protocol, 'v4.channel.k8s.io');
    const error = conn.createStream({ streamtype: ['error'] });
    const stdin = conn.createStream({ streamtype: ['stdin'] });
    const stdout = conn.createStream({ streamtype: ['stdout'] });
    const out = collect(stdout);
    const status = collect(error);
    error.end();
    await waitFor('stdout', () => out.text() === 'out');
    stdin.end('typed');
    await status.ended;
    assert.equal(out.text(), 'outtyped');
    assert.equal(status.text(), '{"metadata":{},"status":"Success"}');
    await new Promise<void>((r) => (conn.closed ? r() : conn.once('close', () => r())));
  }
  assert.deepEqual(fc.calls, [
    { rpc: 'Exec', req: { containerId: 'c1', cmd: ['sh'], stdin: true, stdout: true, stderr: false, tty: true } },
    { rpc: 'Attach', req: { containerId: 'c1', stdin: true, stdout: true, stderr: true, tty: false } },
  ]);
  assert.deepEqual(rt.requests.map((r) => [r.url, r.method, r.upgrade, r.protocols]), [
    ['/exec/tok1', 'POST', 'SPDY/3.1', 'v4.channel.k8s.io, v3.channel.k8s.io'],
    ['/attach/tok2', 'POST', 'SPDY/3.1', 'v4.channel.k8s.io, v3.channel.k8s.io'],
  ]);
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('attach over WebSocket v5 with a terminal: resize reaches the runtime, the session ends with it', async () => {
  const { fc, port, agent, rt } = await setup();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/attach/default/p/c?stdin=true&stdout=true&stderr=true&tty=true`, ['v5.channel.k8s.io']);
  const got: string[] = [];
  ws.on('message', (d: Buffer) => got.push(`${d[0]}:${d.subarray(1)}`));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  assert.deepEqual(fc.calls, [{ rpc: 'Attach', req: { containerId: 'c1', stdin: true, stdout: true, stderr: false, tty: true } }]);
  ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
  ws.send(Buffer.from('\x00exit'));
  await new Promise<void>((r) => ws.on('close', () => r()));
  assert.deepEqual(got, ['1:out', '3:{"metadata":{},"status":"Success"}']);
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('clients that reset before the answer or mid-session (each transport) end the runtime side too', async () => {
  const { rt, port, agent } = await setup();
  const ws = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  const requests = [
    `GET /exec/default/p/c?command=sh&stdout=1 HTTP/1.1\r\nHost: a\r\n${ws}Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`,
    `GET /exec/default/p/c?command=sh&stdout=1 HTTP/1.1\r\nHost: a\r\n${ws}Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
    `POST /attach/default/p/c?stdout=1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`,
    `GET /portForward/default/p HTTP/1.1\r\nHost: a\r\n${ws}Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n`,
  ];
  for (let i = 0; i < 120; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', r));
    s.write(requests[i % requests.length] as string);
    if (i % 3 === 1) await new Promise((r) => setImmediate(r));
    if (i % 3 === 2) {
      let seen = '';
      await new Promise<void>((r) => s.on('data', (d) => ((seen += d.toString('latin1')).includes('101') ? r() : undefined)));
    }
    s.resetAndDestroy();
  }
  await waitFor('every session to end on both sides', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0, 10_000);
});

test('refusals are a Status, the same for WebSocket and kubectl\'s SPDY fallback; nothing is asked of the runtime', async () => {
  const { port, fc } = await setup();
  const none = await refusal(port, '/exec/default/p/c?command=sh&stdin=False&stdout=false&stderr=0');
  assert.deepEqual([none.code, none.body.kind, none.body.reason, none.body.message], [400, 'Status', 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr']);
  assert.equal((await refusal(port, '/attach/default/p/c')).body.message, 'you must specify at least 1 of stdin, stdout, stderr');
  assert.equal((await refusal(port, '/exec/default/p/c?stdout=true')).body.message, 'you must specify at least one command for the container');
  const unknown = await refusal(port, '/exec/default/p/c?command=sh&stdout=true', 'v9.channel.k8s.io');
  assert.equal(unknown.code, 400);
  assert.equal(unknown.body.message, 'unable to upgrade connection: requested protocol(s) are not supported: [v9.channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io channel.k8s.io base64.channel.k8s.io]');
  const gone = await refusal(port, '/exec/default/nope/c?command=sh&stdout=true');
  assert.deepEqual([gone.code, gone.body.reason, gone.body.message], [404, 'NotFound', 'pod "nope" not found on this node']);
  assert.equal((await refusal(port, '/exec/default/p/c/extra?command=sh&stdout=true')).code, 404);
  assert.equal((await refusal(port, '/exec/default/%ZZ/c?command=sh&stdout=true')).code, 400);
  // SPDY: the request's own fault, as over WebSocket
  const spdy = (path: string) => spdyClient(port, path, ['v4.channel.k8s.io']).then(() => assert.fail('upgraded'), (e: { statusCode: number; body: string }) => ({ code: e.statusCode, message: JSON.parse(e.body).message }));
  assert.deepEqual(await spdy('/exec/default/p/zz?command=sh&stdout=1'), { code: 400, message: 'container zz is not valid for pod p' });
  assert.deepEqual(await spdy('/attach/default/nope/c?stdout=1'), { code: 404, message: 'pod "nope" not found on this node' });
  // not an upgrade kubectl makes
  const plain = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('GET /exec/default/p/c?command=sh&stdout=1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'));
    let text = '';
    s.on('data', (d) => (text += String(d)));
    s.on('close', () => resolve(text));
  });
  assert.match(plain, /^HTTP\/1\.1 400 [^]*"message":"Upgrade request required"/);
  assert.deepEqual(fc.calls, [], 'no session was asked of the runtime');
});

test('a stopped container refuses exec and attach', async () => {
  const { port, fc } = await setup({ containerState: 'CONTAINER_EXITED' });
  assert.equal((await refusal(port, '/exec/default/p/c?command=sh&stdout=1')).body.message, 'cannot exec in a stopped container: c');
  assert.equal((await refusal(port, '/attach/default/p/c?stdout=1', 'v5.channel.k8s.io')).body.message, 'cannot attach to a stopped container: c');
  assert.deepEqual(fc.calls, []);
});

test('a followed log reads Kubernetes booleans and stops when its client resets', async () => {
  const logPath = join(dir, 'c.log');
  writeFileSync(logPath, '2024-01-02T03:04:05.000000000Z stdout F one\n2024-01-02T03:04:06.000000000Z stdout F two\n');
  const { port } = await setup({ logPath });
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
