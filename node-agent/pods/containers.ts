// One container of a pod, moved one step toward its spec per sync, as the kubelet's container runtime manager does:
// start it (image pull with the pod's credentials, environment, mounts, create, start, postStart hook), keep it
// (probes decide whether it is ready, or whether a liveness/startup failure restarts it), restart it after it
// exits when its restart policy says so (with the crash back-off), or leave it be. killContainer runs the preStop
// hook inside the grace period and stops the container with what is left of it.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { CriError } from '../cri/client.js';
import type { Container, ContainerStatus, PodSandbox, PodSandboxConfig } from '../cri/types.js';
import { exitedAtMs, goDuration, restartDecision } from './backoff.js';
import { ANNOTATION_HASH, LABEL_CONTAINER_NAME, containerConfig } from './config.js';
import { ContainerConfigError, containerEnv, skippedKeysMessage } from './env.js';
import { runHook } from './hooks/lifecycle.js';
import { credentialsFor } from './pull-secrets.js';
import { isSidecar, podDesc, type ContainerSpec, type RestartPolicy } from './spec.js';
import type { ObservedContainer } from './status.js';
import type { SyncDeps } from './deps.js';
import { ANNOTATION_TERMINATION_LOG, ANNOTATION_TERMINATION_POLICY, newTerminationLog } from './termination.js';
import { containerMounts } from './volumes/mounts.js';
import type { PodVolume } from './volumes/manager.js';

const log = logger('node-agent');

/** The kubelet's minimum grace period for a stop. */
export const MIN_GRACE_SECONDS = 2;
/** postStart has no deadline in Kubernetes; a hook that hangs this long is given up (the container is killed). */
const POST_START_BUDGET_MS = 10 * 60_000;

/** app: spec.containers; init: a regular init container; sidecar: an init container with restartPolicy Always. */
export type ContainerKind = 'app' | 'init' | 'sidecar' | 'ephemeral';

/** What every container of one pod shares during one sync. */
export interface PodContext {
  d: SyncDeps;
  pod: KubeObject;
  sandbox: PodSandbox;
  sandboxConfig: PodSandboxConfig;
  podIP?: string;
  volumes: Map<string, PodVolume>;
  /** The pod's runtime containers (all sandboxes), as listed at the start of the sync. */
  all: Container[];
  hostsFile?: string;
  /** Asks for another sync in ms (the soonest ask wins). */
  later(ms: number): void;
}

export function event(d: SyncDeps, pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
  d.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, message);
}

export function specHash(spec: ContainerSpec): string {
  return createHash('sha256').update(JSON.stringify({ ...spec, resources: undefined })).digest('hex').slice(0, 16);
}

/** The restart policy that applies to one container of the pod. */
export function containerPolicy(kind: ContainerKind, pod: RestartPolicy): RestartPolicy {
  if (kind === 'sidecar') return 'Always';
  if (kind === 'ephemeral') return 'Never';
  // an init container must complete: with the pod's Always it is rerun on failure only
  if (kind === 'init') return pod === 'Never' ? 'Never' : 'OnFailure';
  return pod;
}

export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

export const kindOf = (spec: ContainerSpec, where: 'containers' | 'initContainers' | 'ephemeralContainers'): ContainerKind =>
  where === 'containers' ? 'app' : where === 'ephemeralContainers' ? 'ephemeral' : isSidecar(spec) ? 'sidecar' : 'init';

/** The runtime containers of this name in the pod's current sandbox, newest attempt first. */
export function instancesOf(ctx: PodContext, name: string): Container[] {
  return ctx.all.filter((c) => c.labels[LABEL_CONTAINER_NAME] === name && c.podSandboxId === ctx.sandbox.id)
    .sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0));
}

/** What the runtime says about the newest two instances, without acting. */
export async function observeContainer(ctx: PodContext, spec: ContainerSpec): Promise<ObservedContainer> {
  const mine = instancesOf(ctx, spec.name);
  const cur = mine[0] ? ((await ctx.d.cri.containerStatus(mine[0].id)).status ?? undefined) : undefined;
  const prev = mine[1] ? ((await ctx.d.cri.containerStatus(mine[1].id)).status ?? undefined) : undefined;
  const o: ObservedContainer = { name: spec.name, image: spec.image, current: cur, previous: prev, restartCount: Math.max(0, mine[0]?.metadata?.attempt ?? 0) };
  if (cur?.state === 'CONTAINER_RUNNING') Object.assign(o, probeVerdict(ctx, spec, cur));
  return o;
}

function probeVerdict(ctx: PodContext, spec: ContainerSpec, cur: ContainerStatus): { started: boolean; ready: boolean } {
  const s = ctx.d.probes.state(cur.id, spec);
  return { started: s.started, ready: s.ready };
}

/** Stops one container: the preStop hook first, within the grace period, then the stop with what is left of it. */
export async function killContainer(d: SyncDeps, pod: KubeObject | undefined, spec: ContainerSpec | undefined, containerId: string, graceSeconds: number,
  message?: string, podIP?: string): Promise<void> {
  if (pod && message) event(d, pod, 'Normal', 'Killing', message);
  let grace = graceSeconds;
  const preStop = spec?.lifecycle?.preStop;
  if (pod && spec && preStop && grace > 0) {
    const began = Date.now();
    const failed = await runHook({ cri: d.cri, containerId, podIP, ports: spec.ports ?? [] }, preStop, { containerName: spec.name, podDesc: podDesc(pod),
      timeoutMs: grace * 1000 });
    if (failed) {
      log.warn('preStop hook failed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: spec.name, error: failed });
      event(d, pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
    }
    grace -= (Date.now() - began) / 1000;
  }
  try {
    await d.cri.stopContainer(containerId, Math.max(MIN_GRACE_SECONDS, Math.ceil(grace)));
  } catch (e) {
    if (!(e instanceof CriError && e.code === 5)) throw e;
  }
}

/**
 * One sync step for one container; returns what to report about it. Never throws for a container-level failure
 * (that is the container's state); CRI failures of the sync itself do throw (the pod is retried).
 */
export async function syncContainer(ctx: PodContext, spec: ContainerSpec, kind: ContainerKind): Promise<ObservedContainer> {
  const { d, pod } = ctx;
  const uid = pod.metadata.uid as string;
  const mine = instancesOf(ctx, spec.name);
  // keep the newest two (the current one and the previous, for `logs --previous`)
  for (const old of mine.slice(2)) {
    await d.cri.removeContainer(old.id).catch(() => undefined);
    d.messages.forget([old.id]);
  }
  const o = await observeContainer(ctx, spec);
  let cur = o.current;
  const attempt = mine[0]?.metadata?.attempt ?? -1;
  const policy = containerPolicy(kind, (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy);
  const key = `${uid}/${spec.name}`;
  const hash = specHash(spec);

  if (cur?.state === 'CONTAINER_CREATED') {
    // created by a sync that did not get to start it (the agent restarted in between)
    await startCreated(ctx, spec, cur.id, o);
    return o;
  }
  if (cur?.state === 'CONTAINER_RUNNING') {
    const probes = d.probes.state(cur.id, spec);
    let why: string | undefined;
    let grace = (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
    if (kind === 'app' && cur.annotations[ANNOTATION_HASH] !== hash) why = `Container ${spec.name} definition changed, will be restarted`;
    else if (probes.startupFailed) {
      why = `Container ${spec.name} failed startup probe, will be restarted`;
      grace = spec.startupProbe?.terminationGracePeriodSeconds ?? grace;
    } else if (probes.livenessFailed) {
      why = `Container ${spec.name} failed liveness probe, will be restarted`;
      grace = spec.livenessProbe?.terminationGracePeriodSeconds ?? grace;
    }
    if (!why) return o;
    await killContainer(d, pod, spec, cur.id, grace, why, ctx.podIP);
    cur = (await d.cri.containerStatus(cur.id)).status ?? undefined;
    o.current = cur;
    o.started = false;
    o.ready = false;
    // a replaced spec is no crash: it starts again at once
    if (kind === 'app' && cur && cur.annotations[ANNOTATION_HASH] !== hash) d.restarts.reset(key);
  }
  if (cur && cur.state === 'CONTAINER_EXITED') {
    if (kind === 'ephemeral' || !shouldRestart(policy, cur.exitCode)) return o;
    // crashes and failed starts (StartError, which never started) back off alike, from when the container exited
    const now = Date.now();
    const decision = restartDecision(d.restarts, key, exitedAtMs(cur, now), now);
    if (!decision.restart) {
      o.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(decision.delay)} restarting failed container=${spec.name} pod=${podDesc(pod)}` };
      event(d, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podDesc(pod)}`);
      ctx.later(decision.retryInMs + 50);
      return o;
    }
  }
  if (cur && kind === 'ephemeral') return o;
  await startNew(ctx, spec, kind, attempt + 1, hash, o);
  return o;
}

async function startCreated(ctx: PodContext, spec: ContainerSpec, id: string, o: ObservedContainer): Promise<void> {
  await ctx.d.cri.startContainer(id);
  await postStart(ctx, spec, id, o);
  o.current = (await ctx.d.cri.containerStatus(id)).status ?? undefined;
}

/** Runs the postStart hook; a failure kills the container (FailedPostStartHook) and shows PostStartHookError. */
async function postStart(ctx: PodContext, spec: ContainerSpec, id: string, o: ObservedContainer): Promise<void> {
  const hook = spec.lifecycle?.postStart;
  if (!hook) return;
  const { d, pod } = ctx;
  const failed = await runHook({ cri: d.cri, containerId: id, podIP: ctx.podIP, ports: spec.ports ?? [] }, hook, { containerName: spec.name,
    podDesc: podDesc(pod), timeoutMs: POST_START_BUDGET_MS });
  if (!failed) return;
  log.warn('postStart hook failed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: spec.name, error: failed });
  // the event leaves the hook's output out (it may hold secrets), as the kubelet's does
  event(d, pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
  await killContainer(d, pod, spec, id, (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30, 'FailedPostStartHook', ctx.podIP);
  o.waiting = { reason: 'PostStartHookError', message: failed };
}

async function startNew(ctx: PodContext, spec: ContainerSpec, kind: ContainerKind, next: number, hash: string, o: ObservedContainer): Promise<void> {
  const { d, pod, sandbox } = ctx;
  const uid = pod.metadata.uid as string;
  const ns = pod.metadata.namespace as string;
  const credentials = async () => {
    const names = ((pod.spec?.imagePullSecrets ?? []) as Array<{ name?: string }>).map((s) => s.name).filter((n): n is string => !!n);
    // the ServiceAccount's imagePullSecrets too (admission copies them into the pod in Kubernetes; the kind may not
    // be served here yet, and then there are none)
    const sa = await d.objects.serviceAccount(ns, (pod.spec?.serviceAccountName as string | undefined) || 'default').catch(() => undefined);
    for (const s of (sa?.imagePullSecrets ?? []) as Array<{ name?: string }>) if (s.name && !names.includes(s.name)) names.push(s.name);
    const secrets = (await Promise.all(names.map((n) => d.objects.secret(ns, n).catch(() => undefined)))).filter((s): s is KubeObject => !!s);
    return credentialsFor(spec.image, secrets);
  };
  const pulled = await d.images.ensure(spec.image, spec.imagePullPolicy, uid, credentials, (e) => event(d, pod, 'Normal', e.reason, e.message));
  if (!pulled.ok) {
    o.waiting = { reason: pulled.reason, message: pulled.message };
    if (pulled.reason === 'ImagePullBackOff') event(d, pod, 'Normal', 'BackOff', pulled.message);
    // the kubelet's reason for a missing image it may not pull is the state's own
    else event(d, pod, 'Warning', pulled.reason === 'ErrImageNeverPull' ? pulled.reason : 'Failed', pulled.message);
    event(d, pod, 'Warning', 'Failed', `Error: ${pulled.reason}`);
    // ErrImagePull shows for a moment; the next look finds the back-off (ImagePullBackOff) and waits it out
    if (pulled.reason === 'ErrImagePull') ctx.later(2000);
    else if (pulled.retryInMs !== undefined) ctx.later(pulled.retryInMs + 50);
    return;
  }
  let config;
  try {
    const facts = { nodeName: d.nodeName, hostIP: d.hostIP, podIP: ctx.podIP, allocatable: d.allocatable, services: d.services?.() };
    const { env, skipped } = await containerEnv(pod, spec, facts, d.objects);
    for (const s of skipped) event(d, pod, 'Warning', 'InvalidEnvironmentVariableNames', skippedKeysMessage(pod, s));
    const terminationLog = spec.terminationMessagePath ? newTerminationLog(d.volumes.podsDir, uid, spec.name) : undefined;
    const mounts = containerMounts(spec, ctx.volumes, new Map(env.map((e) => [e.key, e.value])), { hostsFile: ctx.hostsFile, terminationLog });
    let pidTargetId: string | undefined;
    if (kind === 'ephemeral' && spec.targetContainerName) {
      pidTargetId = instancesOf(ctx, spec.targetContainerName).find((c) => c.state === 'CONTAINER_RUNNING')?.id;
      if (!pidTargetId) throw new ContainerConfigError(`target container "${spec.targetContainerName}" is not running`);
    }
    const annotations: Record<string, string> = { [ANNOTATION_TERMINATION_POLICY]: spec.terminationMessagePolicy ?? 'File' };
    if (terminationLog) annotations[ANNOTATION_TERMINATION_LOG] = terminationLog;
    config = containerConfig(pod, spec, env, spec.image, next, hash, { mounts, annotations, pidTargetId });
  } catch (e) {
    if (!(e instanceof ContainerConfigError)) throw e;
    o.waiting = { reason: 'CreateContainerConfigError', message: e.message };
    event(d, pod, 'Warning', 'Failed', `Error: ${e.message}`);
    ctx.later(10_000);
    return;
  }
  let id: string;
  try {
    id = await d.cri.createContainer(sandbox.id, config, ctx.sandboxConfig);
  } catch (e) {
    o.waiting = { reason: 'CreateContainerError', message: (e as Error).message };
    event(d, pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
    ctx.later(d.restarts.next(`${uid}/${spec.name}/create`));
    return;
  }
  event(d, pod, 'Normal', 'Created', `Created container: ${spec.name}`);
  let startError: string | undefined;
  try {
    await d.cri.startContainer(id);
    event(d, pod, 'Normal', 'Started', `Started container ${spec.name}`);
  } catch (e) {
    // The runtime keeps the failed container as exited (StartError, exit 128): from the next sync on, the restart
    // policy and back-off take it from there as for a crash.
    startError = e instanceof CriError ? e.details : (e as Error).message;
    log.warn('container failed to start', { pod: `${ns}/${pod.metadata.name}`, container: spec.name, attempt: next, error: startError });
    event(d, pod, 'Warning', 'Failed', `Error: ${startError}`);
  }
  const prevCur = o.current;
  if (startError === undefined) {
    log.info('container started', { pod: `${ns}/${pod.metadata.name}`, container: spec.name, attempt: next });
    await postStart(ctx, spec, id, o);
  }
  o.current = (await d.cri.containerStatus(id)).status ?? undefined;
  o.previous = prevCur ?? o.previous;
  o.restartCount = next;
  const running = o.current?.state === 'CONTAINER_RUNNING';
  o.started = running && !spec.startupProbe;
  o.ready = o.started && !spec.readinessProbe;
  // until then, a container that will be restarted waits with the kubelet's reason; one that won't shows how it ended
  const policy = containerPolicy(kind, (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy);
  if (startError !== undefined && shouldRestart(policy, o.current?.exitCode ?? 128)) o.waiting = { reason: 'RunContainerError', message: startError };
}
