// `exec`: runs a command in a container over the Kubernetes WebSocket exec protocol (v5.channel.k8s.io, or v4 if
// the server picks it): channel 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal size, 255 close (v5).
// With -it the local terminal is put in raw mode (and always restored); the command's exit code becomes flotctl's.
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { KubeObject, Status } from '../../lib/api/types.js';
import { ApiError, resourcePath } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { red } from './style.js';
import { podRunningTimeout } from './logs.js';
import { DEFAULT_CONTAINER, type Pod, allContainerNames, byActiveReversed, hasContainer, manyContainers, parseRef, podsOf, selectorOf } from './podselect.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;
const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SEE = `\nSee 'flotctl exec -h' for help and examples`;

/** The positional arguments before `--` and the command after it (cobra's ArgsLenAtDash). */
function splitAtDash(p: Parsed): { before: string[]; command: string[]; dash: boolean } {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--');
  if (at < 0) return { before: p.args, command: [], dash: false };
  const command = argv.slice(at + 1);
  return { before: p.args.slice(0, p.args.length - command.length), command, dash: true };
}

/** The pod a POD or TYPE/NAME argument names; for other objects, the best running pod of their selector. */
async function targetPod(ctx: Ctx, arg: string, timeoutMs: number): Promise<Pod> {
  const ref = parseRef(ctx, arg);
  const obj: KubeObject = await ctx.client.get(ref.kind, ref.name, { namespace: ctx.namespace });
  if (ref.kind.kind === 'Pod') return obj as Pod;
  const sel = selectorOf(ref.kind, obj);
  if (sel instanceof Error) throw new CliError(`error: cannot attach to *${ref.kind.version}.${ref.kind.kind}: ${sel.message}`);
  return (await podsOf(ctx, obj.metadata.namespace ?? ctx.namespace, sel, timeoutMs, byActiveReversed))[0] as Pod;
}

/** A failed WebSocket handshake: the server's Status if it sent one. */
async function handshakeError(res: IncomingMessage): Promise<Error> {
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
function outcome(message: string): { code: number; error?: string } {
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

export async function exec(ctx: Ctx, p: Parsed): Promise<void> {
  const { before, command, dash } = splitAtDash(p);
  if (!dash && before.length > 1) throw new CliError(`error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead${SEE}`);
  const timeout = podRunningTimeout(p, SEE);
  const resource = before[0];
  if (!resource) throw new CliError('error: pod, type/name or --filename must be specified');
  if (!command.length) throw new CliError('error: you must specify at least one command for the container');
  const quiet = bool(p, 'quiet');

  const pod = await targetPod(ctx, resource, timeout);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`error: cannot exec into a container in a completed pod; current phase is ${phase}`);
  let container = str(p, 'container') ?? '';
  if (!container) {
    const preferred = pod.metadata.annotations?.[DEFAULT_CONTAINER];
    if (!pod.spec?.containers?.length) throw new CliError(`error: pod ${pod.metadata.namespace}/${pod.metadata.name} does not have any containers`);
    if (preferred && hasContainer(pod, preferred)) container = preferred;
    else {
      container = pod.spec.containers[0]?.name as string;
      if (!quiet && manyContainers(pod)) ctx.warn(`Defaulted container "${container}" out of: ${allContainerNames(pod)}\n`);
    }
  }

  // kubectl's SetupTTY: a TTY only with stdin, and only if stdin is a terminal.
  const stdin = bool(p, 'stdin');
  let tty = stdin && bool(p, 'tty');
  if (tty && !process.stdin.isTTY) {
    tty = false;
    if (!quiet) ctx.warn('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  }

  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  if (!tty) q.set('stderr', 'true');
  if (stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (tty) q.set('tty', 'true');
  const url = new URL(`${resourcePath(ctx.kind('pods'), pod.metadata.namespace, pod.metadata.name)}/exec?${q}`, ctx.config.server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
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
  const onStdin = (d: Buffer) => send(STDIN, d);
  const onStdinEnd = () => {
    if (ws.protocol === V5) send(CLOSE, Buffer.from([STDIN]));
  };
  let errorMessage = '';
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    ws.terminate();
  };

  // Interrupted (Ctrl-C without a TTY, or killed): end the session, restore the terminal, exit 1, as kubectl.
  for (const sig of SIGNALS) process.once(sig, onSigint);
  let raw = false;
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => void handshakeError(res).then(reject, reject));
      ws.on('error', reject);
      ws.on('open', () => {
        if (tty) {
          process.stdin.setRawMode(true);
          raw = true;
          sendSize();
          process.stdout.on('resize', sendSize);
        }
        if (stdin) {
          process.stdin.on('data', onStdin);
          process.stdin.once('end', onStdinEnd);
          process.stdin.resume();
        }
      });
      ws.on('message', (data: Buffer) => {
        if (!data.length) return;
        const body = data.subarray(1);
        if (data[0] === ERROR) errorMessage += body.toString('utf8');
        else if (body.length && (data[0] === STDOUT || data[0] === STDERR)) {
          const out = data[0] === STDOUT ? process.stdout : process.stderr;
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
    for (const sig of SIGNALS) process.removeListener(sig, onSigint);
    process.stdin.removeListener('data', onStdin);
    process.stdin.removeListener('end', onStdinEnd);
    if (stdin) process.stdin.destroy();
  }
  if (interrupted) {
    ctx.exitCode = 1;
    return;
  }
  const { code, error } = outcome(errorMessage);
  if (error) process.stderr.write(`${red(error, process.stderr)}\n`);
  ctx.exitCode = code;
}

export const command: Command = {
  short: 'Execute a command in a container',
  flags: { container: { short: 'c' }, stdin: { short: 'i', bool: true }, tty: { short: 't', bool: true }, quiet: { short: 'q', bool: true }, 'pod-running-timeout': {} },
  run: exec,
};
