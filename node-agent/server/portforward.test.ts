// Port-forward at the node agent, over the three transports clients use, against a stand-in for containerd's
// streaming server (fake-runtime.ts): SPDY (kubectl 1.27-1.30, and flotctl), kubectl 1.31+'s SPDY-in-WebSocket
// tunnel, and the WebSocket channel protocol (the Python client). A forward ends when its pod goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { SpdyConnection, type SpdyStream } from '../../lib/util/spdy/connection.js';
import { refusal, setup, spdyClient, testPod, tunnelClient, waitFor } from './fake-runtime.js';

function read(s: SpdyStream): Promise<string> {
  let text = '';
  s.on('data', (d: Buffer) => (text += String(d)));
  return new Promise((resolve) => s.once('end', () => resolve(text)));
}

/** One forwarded connection as kubectl makes it: an error stream (closed for writing) and a data stream. */
async function forward(conn: SpdyConnection, port: number, requestId: number, send: string): Promise<{ data: string; error: string }> {
  const headers = { port: [String(port)], requestid: [String(requestId)] };
  const error = conn.createStream({ streamtype: ['error'], ...headers });
  error.end();
  const data = conn.createStream({ streamtype: ['data'], ...headers });
  const got = read(data);
  const err = read(error);
  data.end(send);
  return { data: await got, error: await err };
}

test('SPDY port-forward (kubectl 1.27-1.30): many connections on one upgrade, a refused port reported on its error stream', async () => {
  const { rt, fc, port, agent } = await setup();
  const { conn, protocol } = await spdyClient(port, '/portForward/default/p', ['portforward.k8s.io']);
  assert.equal(protocol, 'portforward.k8s.io');
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => forward(conn, i % 2 ? 8080 : 80, i, `hello ${i}`)));
  results.forEach((r, i) => assert.deepEqual(r, { data: `${i % 2 ? 8080 : 80}:hello ${i}`, error: '' }));
  assert.deepEqual(await forward(conn, 9, 99, 'x'), { data: '', error: 'error forwarding port 9 to pod sandbox, uid : connection refused' });
  assert.deepEqual(fc.calls, [{ rpc: 'PortForward', req: { sandbox: 'sb1', ports: [] } }]);
  assert.deepEqual(rt.requests.map((r) => [r.url, r.method, r.upgrade, r.protocols]), [['/portforward/tok1', 'POST', 'SPDY/3.1', 'portforward.k8s.io']]);
  conn.destroy();
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('the WebSocket tunnel (kubectl 1.31+): SPDY in binary messages, the subprotocol answered as kubectl expects', async () => {
  const { rt, fc, port, agent } = await setup();
  const { stream, protocol } = await tunnelClient(port, '/portForward/default/p');
  assert.equal(protocol, 'SPDY/3.1+portforward.k8s.io');
  const conn = new SpdyConnection(stream, 'client');
  await conn.ping();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => forward(conn, 80, i, `t${i}`)));
  results.forEach((r, i) => assert.deepEqual(r, { data: `80:t${i}`, error: '' }));
  assert.equal(fc.calls[0]?.rpc, 'PortForward');
  // the agent opened a SPDY connection of its own to the runtime
  assert.deepEqual(rt.requests.map((r) => [r.method, r.upgrade, r.protocols]), [['POST', 'SPDY/3.1', 'portforward.k8s.io']]);
  stream.end();
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
});

test('the WebSocket channel protocol (Python client): ports from the query, passed to the runtime, which speaks it', async () => {
  const { rt, fc, port, agent } = await setup();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/portForward/default/p?port=80&port=8080`, ['v4.channel.k8s.io']);
  const got: Buffer[] = [];
  ws.on('message', (d: Buffer) => got.push(d));
  await new Promise<void>((r, j) => ws.once('open', r).once('error', j));
  await waitFor('the port prefixes', () => got.length === 4);
  assert.deepEqual(got.map((d) => [d[0], d.readUInt16LE(1)]), [[0, 80], [1, 80], [2, 8080], [3, 8080]]);
  ws.send(Buffer.from('\x00GET /'));
  await waitFor('the echo', () => got.length === 5);
  assert.equal(String(got[4]), '\x00GET /');
  assert.deepEqual(fc.calls, [{ rpc: 'PortForward', req: { sandbox: 'sb1', ports: [80, 8080] } }]);
  assert.deepEqual(rt.requests.map((r) => [r.url, r.upgrade]), [['/portforward/tok1?port=80&port=8080', 'websocket']]);
  ws.close();
  await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.connections === 0 && agent.sessions === 0);
  const missing = await refusal(port, '/portForward/default/p');
  assert.deepEqual([missing.code, missing.body.message], [400, 'query parameter "port" is required']);
  assert.equal((await refusal(port, '/portForward/default/p?port=http')).body.message, 'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax');
  assert.equal((await refusal(port, '/portForward/default/p?port=0')).body.message, 'port "0" must be > 0');
  assert.equal((await refusal(port, '/portForward/default/p?port=80', 'v5.channel.k8s.io')).code, 400);
});

test('a forward ends when its pod is deleted, replaced under its name, or its sandbox stops', async () => {
  const { rt, fc, port, agent, setPod } = await setup();
  const endings: Array<() => void> = [
    () => setPod(undefined),
    () => setPod(testPod('another-uid')),
    () => (fc.sandboxReady = false),
  ];
  for (const end of endings) {
    setPod(testPod());
    fc.sandboxReady = true;
    const spdy = await spdyClient(port, '/portForward/default/p', ['portforward.k8s.io']);
    const tunnel = await tunnelClient(port, '/portForward/default/p');
    const tconn = new SpdyConnection(tunnel.stream, 'client');
    assert.deepEqual((await forward(spdy.conn, 80, 0, 'a')).data, '80:a');
    assert.deepEqual((await forward(tconn, 80, 0, 'b')).data, '80:b');
    const closed = Promise.all([spdy.conn, tconn].map((c) => new Promise<void>((r) => (c.closed ? r() : c.once('close', () => r())))));
    end();
    await closed;
    await waitFor('both sides to close', () => rt.sockets.size === 0 && agent.sessions === 0);
  }
  // and with no ready sandbox, a forward is refused as the kubelet refuses it
  const r = await spdyClient(port, '/portForward/default/p', ['portforward.k8s.io']).then(() => assert.fail('upgraded'), (e: { statusCode: number; body: string }) => e);
  assert.deepEqual([r.statusCode, JSON.parse(r.body).message], [500, 'failed to find sandboxID for pod p_default(u1)']);
});
