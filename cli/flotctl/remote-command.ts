// The remote command protocol flotctl's exec, attach and cp speak: a WebSocket (v5.channel.k8s.io, or v4 if the
// server picks it) whose binary messages start with the channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status,
// 4 terminal size, 255 close a channel (v5: the end of stdin, which `cp` into a pod needs for tar to finish).
// With a terminal the local one is put in raw mode (and always restored).
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { KubeObject, Status } from '../../lib/api/types.js';
import { ApiError, resourcePath } from '../../lib/client/rest.js';
import { CliError, type Ctx } from './context.js';
import { byActiveReversed, parseRef, podsOf, selectorOf, type Pod } from './podselect.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;
const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const HIGH_WATER = 1024 * 1024;

/** The pod a POD or TYPE/NAME argument names; for other objects, the best running pod of their selector. */
export async function targetPod(ctx: Ctx, arg: string, timeoutMs: number): Promise<Pod> {
  const ref = parseRef(ctx, arg);
  const obj: KubeObject = await ctx.client.get(ref.kind, ref.name, { namespace: ctx.namespace });
  if (ref.kind.kind === 'Pod') return obj as Pod;
  const sel = selectorOf(ref.kind, obj);
  if (sel instanceof Error) throw new CliError(`error: cannot attach to *${ref.kind.version}.${ref.kind.kind}: ${sel.message}`);
  return (await podsOf(ctx, obj.metadata.namespace ?? ctx.namespace, sel, timeoutMs, byActiveReversed))[0] as Pod;
}

/** A failed upgrade: the server's Status if it sent one. */
export async function handshakeError(res: IncomingMessage): Promise<Error> {
  let text = '';
  for await (const c of res) text += String(c);
  try {
    const st = JSON.parse(text) as Status;
    if (st.kind === 'Status') return new ApiError(res.statusCode ?? 0, st);
  } catch {
    /* not a Status */
  }
  return new CliError(`error: unable to upgrade connection: ${text.trim() || `${res.statusCode} ${res.statusMessage ?? ''}`.trim()}`);
}

/** What the error channel's Status means: exit 0, the command's own exit code, or an error. */
export function outcome(message: string): { code: number; error?: string } {
  if (!message) return { code: 0 };
  let st: Omit<Status, 'details'> & { details?: { causes?: { reason?: string; message?: string }[] } };
  try {
    st = JSON.parse(message);
  } catch (e) {
    return { code: 1, error: `error: error stream protocol error: ${(e as Error).message} in ${JSON.stringify(message)}` };
  }
  if (st.status === 'Success') return { code: 0 };
  if (st.status !== 'Failure') return { code: 1, error: 'error: error stream protocol error: unknown error' };
  if (st.reason === 'NonZeroExitCode') {
    if (!st.details) return { code: 1, error: 'error: error stream protocol error: details must be set' };
    const cause = st.details.causes?.find((c) => c.reason === 'ExitCode');
    if (!cause) return { code: 1, error: 'error: error stream protocol error: no ExitCode cause given' };
    const rc = Number(cause.message);
    if (!/^\d+$/.test(cause.message ?? '') || rc > 255) return { code: 1, error: `error: error stream protocol error: invalid exit code value ${JSON.stringify(cause.message)}` };
    return { code: rc, error: `command terminated with exit code ${rc}` };
  }
  const msg = st.message ?? '';
  return { code: 1, error: msg.startsWith('error: ') ? msg : `error: ${msg}` };
}

export interface RemoteCommandIO {
  /** Sent on stdin; its end closes the command's stdin (v5). */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The local terminal (process.stdin and stdout) is the command's: raw mode and its size. */
  terminal?: boolean;
  /** Called once the session is open (before any output), as kubectl prints its attach hint then. */
  onOpen?: () => void;
}

export interface RemoteCommandResult {
  /** The final Status, as the error channel carried it ('' for none). */
  status: string;
  /** Ended by a signal (Ctrl-C without a terminal, or killed). */
  interrupted: boolean;
}

/** The WebSocket URL of a pod's exec or attach subresource with these options. */
export function subresourceUrl(ctx: Ctx, pod: Pod, sub: 'exec' | 'attach', q: URLSearchParams): URL {
  const url = new URL(`${resourcePath(ctx.kind('pods'), pod.metadata.namespace, pod.metadata.name)}/${sub}?${q}`, ctx.config.server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** Runs one exec or attach session to its end. */
export async function remoteCommand(ctx: Ctx, url: URL, io: RemoteCommandIO): Promise<RemoteCommandResult> {
  const c = ctx.config;
  const ws = new WebSocket(url, [V5, V4], {
    headers: c.token ? { Authorization: `Bearer ${c.token}` } : {},
    ca: c.caData, cert: c.certData, key: c.keyData, rejectUnauthorized: !c.insecureSkipTLSVerify,
  });

  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  };
  const sendSize = () => {
    if (process.stdout.isTTY) send(RESIZE, JSON.stringify({ Width: process.stdout.columns, Height: process.stdout.rows }));
  };
  const stdin = io.stdin;
  const onStdin = (d: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([STDIN]), d]), () => {
      if (stdin?.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) stdin.resume();
    });
    // a server that doesn't keep up holds the input back instead of having it buffered here
    if (ws.bufferedAmount > HIGH_WATER) stdin?.pause();
  };
  const onStdinEnd = () => {
    if (ws.protocol === V5) send(CLOSE, Buffer.from([STDIN]));
  };
  let status = '';
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    ws.terminate();
  };

  for (const sig of SIGNALS) process.once(sig, onSignal);
  let raw = false;
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => void handshakeError(res).then(reject, reject));
      ws.on('error', reject);
      ws.on('open', () => {
        io.onOpen?.();
        if (io.terminal && process.stdin.isTTY) {
          process.stdin.setRawMode(true);
          raw = true;
          sendSize();
          process.stdout.on('resize', sendSize);
        }
        if (stdin) {
          stdin.on('data', onStdin);
          stdin.once('end', onStdinEnd);
          stdin.once('error', (e: Error) => {
            ws.terminate();
            reject(new CliError(`error: ${e.message}`));
          });
          stdin.resume();
        }
      });
      ws.on('message', (data: Buffer) => {
        if (!data.length) return;
        const body = data.subarray(1);
        if (data[0] === ERROR) status += body.toString('utf8');
        else if (body.length && (data[0] === STDOUT || data[0] === STDERR)) {
          const out = data[0] === STDOUT ? io.stdout : io.stderr;
          if (!out.write(body)) {
            ws.pause();
            out.once('drain', () => ws.resume());
          }
        }
      });
      ws.on('close', () => resolve());
    });
  } finally {
    // Always hand the terminal back as it was, and stop reading it.
    if (raw) process.stdin.setRawMode(false);
    process.stdout.removeListener('resize', sendSize);
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    stdin?.removeListener('data', onStdin);
    stdin?.removeListener('end', onStdinEnd);
    if (stdin === process.stdin) process.stdin.destroy();
  }
  return { status, interrupted };
}
