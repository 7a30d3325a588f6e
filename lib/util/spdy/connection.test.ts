// SPDY connections end to end over loopback TCP: a client and a server built on the same connection class, with the
// behaviours Kubernetes streams rely on (reply before data, half-close, reset, ping, goaway, back-pressure) and a
// peer that misbehaves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { SpdyConnection, type SpdyStream } from './connection.js';
import { FrameReader, FrameType, encodeData, encodeGoAway, encodeRstStream, encodeSynReply } from './frames.js';
import { HeaderCompressor } from './headers.js';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function pair(): Promise<{ client: SpdyConnection; server: SpdyConnection; clientSocket: Socket; serverSocket: Socket }> {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = once(srv, 'connection');
  const clientSocket = connect((srv.address() as { port: number }).port, '127.0.0.1');
  await once(clientSocket, 'connect');
  const [serverSocket] = (await accepted) as [Socket];
  return { client: new SpdyConnection(clientSocket, 'client'), server: new SpdyConnection(serverSocket, 'server'), clientSocket, serverSocket };
}

function read(s: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('close', () => (s.readableEnded ? resolve(Buffer.concat(parts)) : reject(new Error(`stream ${s.id} closed before its end`))));
  });
}

test('a stream carries its headers, holds data until it is accepted, and half-closes each way', async () => {
  const { client, server } = await pair();
  const accepted = once(server, 'stream') as Promise<[SpdyStream]>;
  const s = client.createStream({ streamType: ['stdin'], port: ['80', '81'] });
  s.write('early'); // before the reply: held, not dropped
  const [peer] = await accepted;
  assert.equal(peer.header('streamtype'), 'stdin');
  assert.deepEqual(peer.headers.port, ['80', '81']);
  assert.equal(peer.id % 2, 1, 'client streams are odd');
  const got = read(peer);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(peer.readableLength, 0, 'nothing arrives before the reply');
  peer.reply();
  await s.whenReplied();
  s.end(' and late');
  assert.equal((await got).toString(), 'early and late');
  // the other half is still open
  const back = read(s);
  peer.end('answer');
  assert.equal((await back).toString(), 'answer');
  if (!s.destroyed) await once(s, 'close');
  assert.equal(client.streamCount, 0);
  assert.equal(server.streamCount, 0);
  client.destroy();
  server.destroy();
});

test('a reset from either side ends the stream on both; a stream the server refuses rejects whenReplied', async () => {
  const { client, server } = await pair();
  const streams: SpdyStream[] = [];
  server.on('stream', (st) => streams.push(st));
  const a = client.createStream({ n: ['a'] });
  await new Promise<void>((r) => server.once('stream', () => r()));
  streams[0]!.reply();
  await a.whenReplied();
  const resetSeen = once(streams[0]!, 'reset');
  a.destroy(); // abandoned half-way: RST_STREAM
  assert.deepEqual(await resetSeen, [5]);
  const b = client.createStream({ n: ['b'] });
  await new Promise<void>((r) => server.once('stream', () => r()));
  const bClosed = once(b, 'close');
  streams[1]!.destroy(); // the server refuses it before replying
  await assert.rejects(b.whenReplied(), /reset by the peer/);
  await bClosed;
  assert.equal(b.resetStatus, 5);
  client.destroy();
  server.destroy();
});

test('pings are echoed; after GOAWAY no new stream is accepted', async () => {
  const { client, server } = await pair();
  await client.ping();
  await server.ping();
  server.close();
  await once(client, 'goaway');
  assert.throws(() => client.createStream({}), /closed/);
  await once(client, 'close');
  client.destroy();
});

test('5 MB each way through one stream and 50 at once arrive intact; a reader that stops holds the sender back', async () => {
  const { client, server } = await pair();
  server.on('stream', (st) => {
    st.reply();
    // echo with a digest, like a server answering each connection
    const h = createHash('sha256');
    let n = 0;
    st.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
    });
    st.on('end', () => st.end(`${n} ${h.digest('hex')}`));
  });
  const payload = randomBytes(5 * 1024 * 1024);
  const digest = createHash('sha256').update(payload).digest('hex');
  const s = client.createStream({});
  const answer = read(s);
  s.end(payload);
  assert.equal((await answer).toString(), `${payload.length} ${digest}`);
  const many = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const st = client.createStream({ requestid: [String(i)] });
    const r = read(st);
    st.end(payload.subarray(i * 1000, i * 1000 + 100_000));
    return (await r).toString();
  }));
  many.forEach((m, i) => assert.equal(m, `100000 ${createHash('sha256').update(payload.subarray(i * 1000, i * 1000 + 100_000)).digest('hex')}`));

  // back-pressure: the server side does not read; the client's writes stop completing, nothing is lost
  server.removeAllListeners('stream');
  const stalled = new Promise<SpdyStream>((r) => server.once('stream', r));
  server.on('stream', (st) => st.reply());
  const slow = client.createStream({});
  const peer = await stalled;
  peer.pause();
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  while (slow.write(chunk)) written += chunk.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(written < 64 * 1024 * 1024, 'the writer was held back');
  const all = read(peer);
  peer.resume();
  slow.end();
  assert.ok((await all).length >= written);
  client.destroy();
  server.destroy();
});

test('the peer going away ends every stream and the connection, once', async () => {
  const { client, server, serverSocket } = await pair();
  server.on('stream', (st) => st.reply());
  const s = client.createStream({});
  await s.whenReplied();
  const closes: Array<Error | undefined> = [];
  client.on('close', (e) => closes.push(e));
  const streamClosed = once(s, 'close');
  serverSocket.destroy();
  await streamClosed;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(closes.length, 1);
  assert.equal(client.closed, true);
  server.destroy();
});

test('a peer sending garbage gets GOAWAY (protocol error) and the connection ends without throwing', async () => {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = once(srv, 'connection');
  const raw = connect((srv.address() as { port: number }).port, '127.0.0.1');
  await once(raw, 'connect');
  const [sock] = (await accepted) as [Socket];
  const conn = new SpdyConnection(sock, 'server');
  conn.on('stream', () => assert.fail('no stream from garbage'));
  const closed = once(conn, 'close') as Promise<[Error | undefined]>;
  const reader = new FrameReader();
  const frames: number[] = [];
  raw.on('data', (d: Buffer) => reader.push(d).forEach((f) => frames.push(f.type)));
  // a SYN_STREAM whose header block is not zlib, after a harmless data frame for an unknown stream
  raw.write(Buffer.concat([encodeData(9, Buffer.from('x'), false), Buffer.from([0x80, 3, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])]));
  const [err] = await closed;
  assert.match(String(err?.message), /decompression failed/);
  await once(raw, 'end');
  assert.deepEqual(frames, [FrameType.GOAWAY]);
  raw.destroy();
});

test('what arrives just before a reset or the connection\'s end is still read (the exit Status comes that way)', async () => {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = once(srv, 'connection');
  const sock = connect((srv.address() as { port: number }).port, '127.0.0.1');
  await once(sock, 'connect');
  const [raw] = (await accepted) as [Socket];
  const client = new SpdyConnection(sock, 'client');
  const a = client.createStream({ streamtype: ['error'] });
  const b = client.createStream({ streamtype: ['stdout'] });
  const gotA = read(a);
  const gotB = read(b);
  const c = new HeaderCompressor();
  // as containerd ends an exec: replies, the Status, every stream reset, GOAWAY, and the connection closed, at once
  raw.end(Buffer.concat([
    encodeSynReply(1, 0, c.compress({})), encodeSynReply(3, 0, c.compress({})),
    encodeData(3, Buffer.from('last output'), false), encodeData(1, Buffer.from('{"status":"Success"}'), false),
    encodeRstStream(1, 5), encodeRstStream(3, 5), encodeGoAway(0, 0),
  ]));
  assert.equal((await gotA).toString(), '{"status":"Success"}');
  assert.equal((await gotB).toString(), 'last output');
  if (!client.closed) await once(client, 'close');
  raw.destroy();
});
