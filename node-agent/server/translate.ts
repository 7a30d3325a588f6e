// exec and attach for WebSocket clients speaking v5.channel.k8s.io (kubectl 1.30+, flotctl): the runtime's streaming
// server predates v5, so the agent speaks v5 to the client and SPDY (v4) to the runtime, as kube-apiserver's stream
// translator does for the kubelet. v5 is v4 plus one thing, and it is the reason for the translation: the client can
// close stdin (channel 255), which becomes a FIN on the runtime's stdin stream, so `kubectl exec -i ... < file` and
// `kubectl cp` into a pod see the end of their input.
//
// Either side may vanish at any moment: the end of either one ends the other, and the last frames (the exit
// Status on channel 3) reach the client before its connection closes.
import WebSocket from 'ws';
import { logger } from '../../lib/util/log.js';
import type { SpdyConnection, SpdyStream } from '../../lib/util/spdy/connection.js';
import { Channel, StreamHeader, StreamType } from '../../lib/util/streaming.js';

const log = logger('node-agent-streams');

/** Above this much unsent to the client, the runtime's streams are not read until it drains. */
const HIGH_WATER = 1024 * 1024;

export interface RemoteCommandStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface Relay {
  /** Ends both sides now (the agent is stopping, or the pod went away). */
  close(): void;
  /** Resolves once both sides are closed. */
  readonly done: Promise<void>;
}

export function translateRemoteCommand(client: WebSocket, runtime: SpdyConnection, o: RemoteCommandStreams): Relay {
  const open = (type: string) => runtime.createStream({ [StreamHeader.type]: [type] });
  // the order kubectl opens them in; the error stream is read only
  const error = open(StreamType.error);
  error.end();
  const stdin = o.stdin ? open(StreamType.stdin) : undefined;
  const outputs: Array<[SpdyStream, number]> = [];
  if (o.stdout) outputs.push([open(StreamType.stdout), Channel.stdout]);
  if (o.stderr && !o.tty) outputs.push([open(StreamType.stderr), Channel.stderr]);
  const resize = o.tty ? open(StreamType.resize) : undefined;
  outputs.push([error, Channel.error]);

  const toClient = (stream: SpdyStream, channel: number) => (data: Buffer) => {
    if (client.readyState !== WebSocket.OPEN) return;
    client.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, () => {
      if (stream.isPaused() && client.bufferedAmount < HIGH_WATER / 2) stream.resume();
    });
    // a client that doesn't read must not make the agent buffer the process's output without bound
    if (client.bufferedAmount > HIGH_WATER) stream.pause();
  };
  for (const [stream, channel] of outputs) stream.on('data', toClient(stream, channel));

  client.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || !data.length) return;
    const channel = data[0];
    const body = data.subarray(1);
    let target: SpdyStream | undefined;
    if (channel === Channel.stdin) target = stdin;
    else if (channel === Channel.resize) target = resize;
    else if (channel === Channel.close) {
      // v5: the client closes a channel; only stdin can be closed from this side
      if (body[0] === Channel.stdin && stdin && !stdin.writableEnded) stdin.end();
      return;
    }
    if (!target || target.writableEnded || target.destroyed) return;
    if (!target.write(body)) {
      client.pause();
      target.once('drain', () => client.resume());
    }
  });

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  let clientClosed = false;
  let runtimeClosed = false;
  const settle = () => {
    if (clientClosed && runtimeClosed) resolveDone();
  };
  runtime.once('close', (err) => {
    runtimeClosed = true;
    if (err) log.warn('runtime stream connection failed', { error: err.message });
    // the Status went out on channel 3 before this: an orderly close lets it reach the client
    if (client.readyState === WebSocket.OPEN) client.close(1000);
    else if (client.readyState === WebSocket.CONNECTING) client.terminate();
    settle();
  });
  client.on('close', () => {
    clientClosed = true;
    // the client is gone (left, or reset): nobody reads the runtime's streams any more
    runtime.destroy();
    settle();
  });
  client.on('error', (e) => {
    log.debug('stream client failed', { error: e.message });
    client.terminate();
  });

  return {
    close() {
      client.terminate();
      runtime.destroy();
    },
    done,
  };
}
