// Exec streams: the client (kubectl through the API server) speaks the Kubernetes WebSocket exec protocol
// (v5.channel.k8s.io or v4.channel.k8s.io: binary messages whose first byte is the channel: 0 stdin, 1 stdout,
// 2 stderr, 3 error/exit status, 4 terminal resize; v5 adds 255 = close a channel). containerd's CRI streaming
// server speaks v4 over WebSocket too, so the agent relays messages between the two.
//
// Either side may vanish at any moment (a client reset, the runtime going away): each WebSocket has an error
// handler, and the end of either one ends the other, so no session outlives its client or its runtime stream.
import WebSocket from 'ws';
import { logger } from '../../lib/util/log.js';

const log = logger('node-agent-exec');

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE_CHANNEL = 255;
const ERROR_CHANNEL = 3;

/** One relayed exec: the client's WebSocket and the runtime's. */
export interface ExecSession {
  /** Ends both sides now (the agent is stopping). */
  close(): void;
  /** Called once, when both sides are closed. */
  onDone(cb: () => void): void;
}

/** Above this much unsent to one side, the other side is not read until it drains. */
const HIGH_WATER = 1024 * 1024;

/**
 * Sends a message from one side to the other. A peer that doesn't read (a stalled client under a chatty process)
 * must not make the agent buffer without bound: the source is paused until the backlog has gone out.
 */
function relay(from: WebSocket, to: WebSocket, data: Buffer, binary: boolean): void {
  if (to.readyState !== WebSocket.OPEN) return;
  to.send(data, { binary }, () => {
    if (from.isPaused && to.bufferedAmount < HIGH_WATER / 2) from.resume();
  });
  if (to.bufferedAmount > HIGH_WATER && from.readyState === WebSocket.OPEN) from.pause();
}

export function bridgeExec(client: WebSocket, execUrl: string): ExecSession {
  const runtime = new WebSocket(execUrl.replace(/^http/, 'ws'), ['v4.channel.k8s.io'], { perMessageDeflate: false });
  const pending: Buffer[] = [];
  let clientClosed = false;
  let runtimeClosed = false;
  const done: Array<() => void> = [];
  const settle = () => {
    if (clientClosed && runtimeClosed) for (const cb of done.splice(0)) cb();
  };

  runtime.on('open', () => {
    for (const m of pending.splice(0)) runtime.send(m);
  });
  runtime.on('message', (data: Buffer, isBinary: boolean) => relay(runtime, client, data, isBinary));
  runtime.on('close', () => {
    runtimeClosed = true;
    // the exit status went out on channel 3 before this; an orderly close lets it reach the client
    if (client.readyState === WebSocket.OPEN) client.close(1000);
    settle();
  });
  runtime.on('error', (e) => {
    if (clientClosed) return; // we cut it because the client left
    log.warn('runtime exec stream failed', { error: e.message });
    if (client.readyState === WebSocket.OPEN) {
      const status = { metadata: {}, status: 'Failure', message: `error in the runtime's exec stream: ${e.message}`, reason: 'InternalError', code: 500 };
      client.send(Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(JSON.stringify(status))]));
      client.close(1000);
    }
  });

  client.on('message', (data: Buffer) => {
    // v4 has no way to say "stdin closed"; the process sees it when the session ends
    if (data[0] === CLOSE_CHANNEL) return;
    if (runtime.readyState === WebSocket.OPEN) relay(client, runtime, data, true);
    else if (runtime.readyState === WebSocket.CONNECTING) pending.push(data);
  });
  client.on('close', () => {
    clientClosed = true;
    pending.length = 0;
    // the client is gone (left, or reset): nobody reads the runtime's stream any more
    runtime.terminate();
    settle();
  });
  client.on('error', (e) => {
    log.debug('exec client stream failed', { error: e.message });
    client.terminate();
  });

  return {
    close() {
      client.terminate();
      runtime.terminate();
    },
    onDone(cb) {
      if (clientClosed && runtimeClosed) cb();
      else done.push(cb);
    },
  };
}
