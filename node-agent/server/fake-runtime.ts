// For the agent server's unit tests: a stand-in for containerd's CRI streaming server (the protocols it speaks, in
// the way it speaks them) and a fake CRI that hands out its URLs. Not used outside tests.
//   remote command over SPDY: every stream replied; "out" on stdout once it is there; stdin echoed on stdout; at
//     stdin's end (FIN) or "exit", the Status on the error stream, then every stream reset and the connection closed;
//   remote command over WebSocket (v4.channel.k8s.io): "out" on stdout, stdin echoed, "exit" ends with the Status;
//   port-forward over SPDY: per data stream, what it receives is answered "PORT:data"; port 9 is refused on the
//     error stream, as a closed port is;
//   port-forward over WebSocket channels: each port's channels opened by the port (2 bytes LE), data echoed.
import { after } from 'node:test';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { KubeObject } from '../../lib/api/types.js';
import { SpdyConnection, type SpdyStream } from '../../lib/util/spdy/connection.js';
import type { CriClient } from '../cri/client.js';
import type { Container, PodSandbox } from '../cri/types.js';
import { LABEL_CONTAINER_NAME } from '../pods/config.js';
import { readUpgradeResponse } from '../../lib/util/upgrade.js';
import { AgentServer } from './server.js';

export interface RuntimeRequest {
  url: string;
  method: string;
  upgrade: string;
  protocols: string;
}

export interface FakeRuntime {
  url: string;
  /** Open TCP connections to it: a session that ended everywhere leaves none. */
  sockets: Set<Socket>;
  requests: RuntimeRequest[];
  close(): Promise<void>;
}

const STATUS_SUCCESS = '{"metadata":{},"status":"Success"}';

function remoteCommandOverSpdy(conn: SpdyConnection): void {
  const streams = new Map<string, SpdyStream>();
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    streams.get('error')?.write(STATUS_SUCCESS);
    // as the kubelet's library ends a session: every stream reset, then the connection closed
    setImmediate(() => conn.destroy());
  };
  conn.on('stream', (s) => {
    const type = s.header('streamtype') ?? '';
    streams.set(type, s);
    s.reply();
    s.resume();
    if (type === 'stdout') s.write('out');
    if (type === 'stdin') {
      s.removeAllListeners('data');
      s.on('data', (d: Buffer) => {
        if (d.toString() === 'exit') return finish();
        streams.get('stdout')?.write(d);
      });
      s.on('end', finish);
    }
  });
}

function portForwardOverSpdy(conn: SpdyConnection): void {
  const errors = new Map<string, SpdyStream>();
  conn.on('stream', (s) => {
    s.reply();
    const port = s.header('port') ?? '';
    const id = s.header('requestid') ?? '';
    if (s.header('streamtype') === 'error') {
      errors.set(id, s);
      s.resume();
      return;
    }
    if (port === '9') {
      errors.get(id)?.end(`error forwarding port 9 to pod sandbox, uid : connection refused`);
      s.end();
      s.resume();
      return;
    }
    s.on('data', (d: Buffer) => s.write(`${port}:${d}`));
    s.on('end', () => {
      s.end();
      errors.get(id)?.end();
    });
  });
}

export async function fakeRuntime(): Promise<FakeRuntime> {
  const sockets = new Set<Socket>();
  const requests: RuntimeRequest[] = [];
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'v4.channel.k8s.io' });
  const server = createServer();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const upgrade = String(req.headers.upgrade ?? '');
    requests.push({ url: req.url ?? '', method: req.method ?? '', upgrade, protocols: String(req.headers['x-stream-protocol-version'] ?? req.headers['sec-websocket-protocol'] ?? '') });
    const forward = (req.url ?? '').startsWith('/portforward/');
    if (upgrade.toLowerCase() === 'websocket') {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => undefined);
        if (forward) {
          const ports = new URL(req.url ?? '', 'http://x').searchParams.getAll('port');
          ports.forEach((p, i) => {
            const le = Buffer.alloc(2);
            le.writeUInt16LE(Number(p));
            ws.send(Buffer.concat([Buffer.from([2 * i]), le]));
            ws.send(Buffer.concat([Buffer.from([2 * i + 1]), le]));
          });
          ws.on('message', (d: Buffer) => ws.send(d));
          return;
        }
        ws.send(Buffer.from('\x01out'));
        ws.on('message', (d: Buffer) => {
          if (d.subarray(1).toString() === 'exit') {
            ws.send(Buffer.from(`\x03${STATUS_SUCCESS}`));
            ws.close(1000);
          } else ws.send(Buffer.concat([Buffer.from([1]), d.subarray(1)]));
        });
      });
      return;
    }
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',')[0]?.trim() ?? '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${offered}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    const conn = new SpdyConnection(socket, 'server');
    if (forward) portForwardOverSpdy(conn);
    else remoteCommandOverSpdy(conn);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    requests,
    close: async () => {
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface CriCall {
  rpc: 'Exec' | 'Attach' | 'PortForward';
  req: unknown;
}

export interface FakeCri {
  cri: CriClient;
  calls: CriCall[];
  /** Whether the pod's sandbox is ready (port-forward needs it). */
  sandboxReady: boolean;
}

/** A CRI knowing one pod's container `c` (running) and its sandbox, whose streaming calls answer with the runtime. */
export function fakeCri(runtimeUrl: string, o: { logPath?: string; containerState?: string } = {}): FakeCri {
  const calls: CriCall[] = [];
  const state: FakeCri = { cri: undefined as unknown as CriClient, calls, sandboxReady: true };
  const container = { id: 'c1', state: o.containerState ?? 'CONTAINER_RUNNING', metadata: { name: 'c', attempt: 0 } } as unknown as Container;
  state.cri = {
    listContainers: async (f: { labelSelector: Record<string, string> }) => (f.labelSelector[LABEL_CONTAINER_NAME] === 'c' ? [container] : []),
    listPodSandbox: async () => [{ id: 'sb1', state: state.sandboxReady ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY' } as unknown as PodSandbox],
    exec: async (req: unknown) => (calls.push({ rpc: 'Exec', req }), `${runtimeUrl}/exec/tok${calls.length}`),
    attach: async (req: unknown) => (calls.push({ rpc: 'Attach', req }), `${runtimeUrl}/attach/tok${calls.length}`),
    portForward: async (sandbox: string, ports: number[]) => (calls.push({ rpc: 'PortForward', req: { sandbox, ports } }), `${runtimeUrl}/portforward/tok${calls.length}`),
    containerStatus: async () => ({ status: { logPath: o.logPath ?? '', state: 'CONTAINER_RUNNING' } }),
  } as unknown as CriClient;
  return state;
}

export const testPod = (uid = 'u1'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid }, spec: { containers: [{ name: 'c' }] } });

export function waitFor(what: string, fn: () => boolean, ms = 5000): Promise<void> {
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

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
}

export async function setup(o: { logPath?: string; containerState?: string } = {}) {
  const rt = await fakeRuntime();
  after(() => rt.close());
  const fc: FakeCri = fakeCri(rt.url, o);
  let pod: KubeObject | undefined = testPod();
  const agent = new AgentServer({ podByName: (ns, name) => (ns === 'default' && name === 'p' ? pod : undefined) }, fc.cri);
  const port = await freePort();
  await agent.listen(port, '127.0.0.1');
  after(() => agent.close());
  return { rt, fc, agent, port, setPod: (p: KubeObject | undefined) => (pod = p) };
}

/** A SPDY upgrade to the agent as kubectl 1.27-1.29 makes it; the connection, or the refusal's status and Status. */
export async function spdyClient(port: number, path: string, protocols: string[]): Promise<{ conn: SpdyConnection; protocol: string; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write(`POST ${path} HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocols.map((p) => `X-Stream-Protocol-Version: ${p}\r\n`).join('')}\r\n`);
  const headers = await readUpgradeResponse(socket, 5000);
  return { conn: new SpdyConnection(socket, 'client'), protocol: headers['x-stream-protocol-version'] ?? '', socket };
}

export function refusal(port: number, path: string, protocol = 'v4.channel.k8s.io'): Promise<{ code: number; body: { kind: string; code: number; reason: string; message: string } }> {
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


/**
 * A WebSocket client just big enough for kubectl's port-forward tunnel, whose subprotocol (`SPDY/3.1+...`) the ws
 * library's client refuses to offer: a handshake offering it, then masked binary messages out and binary messages
 * in, as a Duplex of the tunnelled bytes.
 */
export async function tunnelClient(port: number, path: string): Promise<{ stream: Duplex; protocol: string; socket: Socket }> {
  const { Duplex: DuplexStream } = await import('node:stream');
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n`);
  const headers = await readUpgradeResponse(socket, 5000);
  let buf = Buffer.alloc(0);
  const stream: Duplex = new DuplexStream({
    write(chunk: Buffer, _enc, cb) {
      // FIN + binary; masked with a zero key (every client frame must be masked; a zero key leaves it as it is)
      const len = chunk.length;
      const head = len < 126 ? Buffer.from([0x82, 0x80 | len])
        : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff])
          : Buffer.concat([Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0]), Buffer.from([len >>> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff])]);
      socket.write(Buffer.concat([head, Buffer.alloc(4), chunk]), cb);
    },
    final(cb) {
      socket.end(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]), () => cb());
    },
    read() {},
  });
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      let len = (buf[1] as number) & 0x7f;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const opcode = (buf[0] as number) & 0x0f;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (opcode === 2) stream.push(payload);
      if (opcode === 8) stream.push(null);
    }
  });
  socket.resume(); // readUpgradeResponse leaves it paused
  socket.on('close', () => stream.destroy());
  return { stream, protocol: headers['sec-websocket-protocol'] ?? '', socket };
}
