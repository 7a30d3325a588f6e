// `debug POD --image=IMAGE [--target=CONTAINER] [-c NAME] [-i] [-t] [-- COMMAND ...]`: adds an ephemeral container
// to a running pod through its ephemeralcontainers subresource and, with -i, attaches to it once it runs, as
// `kubectl debug` does for ephemeral containers (its messages too). Pod copies (--copy-to) and node debugging
// (node/NAME) are kubectl features flotctl doesn't have: they are refused with a clear error.
import { randomInt } from 'node:crypto';
import { attachTo } from './attach.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { splitAtDash } from './exec.js';
import { type Parsed, bool, str } from './flags.js';
import { podRunningTimeout } from './logs.js';
import type { Pod } from './podselect.js';

const SEE = `\nSee 'flotctl debug -h' for help and examples`;
/** The alphabet of Kubernetes' random name suffixes (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

interface EphemeralContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  stdin?: boolean;
  tty?: boolean;
  targetContainerName?: string;
  imagePullPolicy?: string;
  terminationMessagePolicy: string;
}

type EphemeralPod = Pod & { spec: { ephemeralContainers?: EphemeralContainer[] } };

export async function debug(ctx: Ctx, p: Parsed): Promise<void> {
  const { before, command } = splitAtDash(p);
  if (before.length !== 1) throw new CliError(`error: expected POD, saw ${before.length} arguments: ${JSON.stringify(before)}${SEE}`);
  if (str(p, 'copy-to') !== undefined) throw new CliError('error: flotctl debug adds ephemeral containers only: --copy-to is not supported');
  const target = before[0] as string;
  if (target.includes('/') && !/^(pods?|po)\//.test(target)) throw new CliError(`error: flotctl debug adds ephemeral containers to pods only, not ${target}`);
  const podName = target.replace(/^(pods?|po)\//, '');
  const image = str(p, 'image');
  if (!image) throw new CliError(`error: --image is required for ephemeral containers${SEE}`);
  const stdin = bool(p, 'stdin');
  const tty = bool(p, 'tty');
  if (tty && !stdin) throw new CliError(`error: -i/--stdin is required for containers with -t/--tty${SEE}`);
  const quiet = bool(p, 'quiet');

  const base = `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(podName)}`;
  const pod = await ctx.client.request<EphemeralPod>({ method: 'GET', path: `${base}/ephemeralcontainers` });
  let name = str(p, 'container') ?? '';
  if (!name) {
    name = `debugger-${Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
    if (!quiet) ctx.warn(`Defaulting debug container name to ${name}.\n`);
  }
  const container: EphemeralContainer = { name, image, stdin, tty, terminationMessagePolicy: 'File' };
  if (command.length) {
    if (bool(p, 'arguments-only')) container.args = command;
    else container.command = command;
  }
  const targetContainer = str(p, 'target');
  if (targetContainer) {
    container.targetContainerName = targetContainer;
    if (!quiet) ctx.warn(`Targeting container "${targetContainer}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`);
  }
  const pullPolicy = str(p, 'image-pull-policy');
  if (pullPolicy) container.imagePullPolicy = pullPolicy;
  // the whole list back with ours added (at the resourceVersion read: a concurrent change is a conflict, not lost)
  const updated = await ctx.client.request<EphemeralPod>({
    method: 'PUT', path: `${base}/ephemeralcontainers`,
    body: { ...pod, spec: { ...pod.spec, ephemeralContainers: [...(pod.spec.ephemeralContainers ?? []), container] } },
  });
  if (!stdin) return;
  const running = await waitForRunning(ctx, base, name, podRunningTimeout(p, SEE));
  await attachTo(ctx, running, container, {
    stdin, tty, quiet,
    sessionEnded: `Session ended, the ephemeral container will not be restarted but may be reattached using 'flotctl attach ${updated.metadata.name} -c ${name} -i -t' if it is still running\n`,
  });
}

/** Polls the pod until the ephemeral container runs (kubectl watches for the same condition). */
async function waitForRunning(ctx: Ctx, base: string, name: string, timeoutMs: number): Promise<Pod> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pod = await ctx.client.request<Pod>({ method: 'GET', path: base });
    type Status = { name: string; state?: { running?: unknown; terminated?: { reason?: string } } };
    const statuses = (pod.status as { ephemeralContainerStatuses?: Status[] } | undefined)?.ephemeralContainerStatuses ?? [];
    const s = statuses.find((x) => x.name === name);
    if (s?.state?.running) return pod;
    if (s?.state?.terminated) throw new CliError(`error: ephemeral container ${name} terminated (${s.state.terminated.reason ?? 'no reason'}) before it could be attached`);
    if (Date.now() > deadline) throw new CliError('error: timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const command: Command = {
  short: 'Add an ephemeral debugging container to a running pod',
  flags: {
    image: {}, container: { short: 'c' }, target: {}, stdin: { short: 'i', bool: true }, tty: { short: 't', bool: true }, quiet: { short: 'q', bool: true },
    'arguments-only': { bool: true }, 'image-pull-policy': {}, 'pod-running-timeout': {}, 'copy-to': {},
  },
  run: debug,
};
