// syncPod: one pass that moves one pod's sandbox and containers toward its spec, as the kubelet's syncPod does.
// Level-based: it reads the pod (from the informer) and the runtime's state (by our labels) every time, so it is
// safe after a crash or an agent restart and never starts a duplicate. It returns when to look again, if ever.
import { createHash } from 'node:crypto';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, type Client } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import { logger } from '../../lib/util/log.js';
import { CriError, type CriClient } from '../cri/client.js';
import type { Container, ContainerStatus, PodSandbox } from '../cri/types.js';
import { Backoff, exitedAtMs, goDuration, restartDecision } from './backoff.js';
import { ANNOTATION_HASH, LABEL_CONTAINER_NAME, LABEL_POD_UID, containerConfig, envFor, sandboxConfig, type PodEnvFacts } from './config.js';
import type { ImagePuller } from './images.js';
import { podStatus, type ObservedContainer } from './status.js';
import { rfc3339 } from '../../lib/api/time.js';

const log = logger('node-agent');
const POD = findByKind('v1', 'Pod')!;
const CONFIGMAP = findByKind('v1', 'ConfigMap')!;
const SECRET = findByKind('v1', 'Secret')!;

export interface SyncDeps {
  client: Client;
  cri: CriClient;
  images: ImagePuller;
  restarts: Backoff;
  nodeName: string;
  hostIP: string;
  logRoot: string;
  /** The status last written per pod uid, so unchanged status isn't written again. */
  lastStatus: Map<string, string>;
  startTimes: Map<string, string>;
  /** Events as the kubelet records them (Created, Started, Failed, BackOff, ...). */
  recorder: EventRecorder;
}

type ContainerSpec = Parameters<typeof containerConfig>[1] & { imagePullPolicy?: string };

const nowTime = (): string => rfc3339();

/** Stops and removes every container and sandbox of a pod (SIGTERM, then SIGKILL after graceSeconds). */
export async function teardown(d: SyncDeps, uid: string, graceSeconds: number): Promise<void> {
  const containers = await d.cri.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } });
  await Promise.all(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => d.cri.stopContainer(c.id, graceSeconds)));
  const sandboxes = await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } });
  for (const s of sandboxes) {
    await d.cri.stopPodSandbox(s.id);
    await d.cri.removePodSandbox(s.id); // removes its containers too
  }
  d.restarts.forgetPrefix(`${uid}/`);
  d.images.forget(uid);
  d.lastStatus.delete(uid);
  d.startTimes.delete(uid);
}

/** Returns milliseconds until this pod should be synced again (undefined = only on the next change). */
export async function syncPod(d: SyncDeps, uid: string, pod: KubeObject | undefined): Promise<number | undefined> {
  if (!pod) {
    await teardown(d, uid, 2);
    return undefined;
  }
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  if (pod.metadata.deletionTimestamp) {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await teardown(d, uid, grace);
    try {
      await d.client.delete(POD, name, { namespace: ns, gracePeriodSeconds: 0, preconditions: { uid } });
      log.info('pod deleted', { pod: `${ns}/${name}` });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    return undefined;
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    const sandboxes = await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } });
    for (const s of sandboxes) if (s.state === 'SANDBOX_READY') await d.cri.stopPodSandbox(s.id);
    return undefined;
  }

  const sandbox = await ensureSandbox(d, pod);
  const sbStatus = (await d.cri.podSandboxStatus(sandbox.id)).status;
  const podIP = pod.spec?.hostNetwork ? d.hostIP : sbStatus?.network?.ip || undefined;
  const all = await d.cri.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } });
  const policy = (pod.spec?.restartPolicy ?? 'Always') as 'Always' | 'OnFailure' | 'Never';
  const observed: ObservedContainer[] = [];
  let again: number | undefined;
  const later = (ms: number) => {
    again = again === undefined ? ms : Math.min(again, ms);
  };
  for (const spec of (pod.spec?.containers ?? []) as ContainerSpec[]) {
    const o = await syncContainer(d, pod, sandbox, spec, all, policy, podIP, later);
    observed.push(o);
  }
  if (!d.startTimes.has(uid)) d.startTimes.set(uid, (pod.status?.startTime as string | undefined) ?? nowTime());
  const status = podStatus(pod, { sandboxReady: sbStatus?.state === 'SANDBOX_READY', podIP, hostIP: d.hostIP, startTime: d.startTimes.get(uid) as string, containers: observed, restartPolicy: policy });
  const text = JSON.stringify(status, (k, v) => (k === 'lastTransitionTime' ? undefined : v));
  if (d.lastStatus.get(uid) !== text) {
    await d.client.patchStatus(POD, name, { status }, 'merge', { namespace: ns });
    d.lastStatus.set(uid, text);
  }
  return again;
}

async function ensureSandbox(d: SyncDeps, pod: KubeObject): Promise<PodSandbox> {
  const uid = pod.metadata.uid as string;
  const sandboxes = (await d.cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } })).sort((a, b) => b.createdAt - a.createdAt);
  const ready = sandboxes.find((s) => s.state === 'SANDBOX_READY');
  if (ready) {
    for (const s of sandboxes) if (s !== ready) await d.cri.removePodSandbox(s.id).catch(() => undefined);
    return ready;
  }
  // no ready sandbox (first run, or the old one died): start over with a new one, as the kubelet does
  for (const s of sandboxes) {
    await d.cri.stopPodSandbox(s.id);
    await d.cri.removePodSandbox(s.id);
  }
  const attempt = sandboxes.length ? Math.max(...sandboxes.map((s) => s.metadata?.attempt ?? 0)) + 1 : 0;
  const id = await d.cri.runPodSandbox(sandboxConfig(pod, d.logRoot, attempt));
  log.info('sandbox started', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, sandbox: id.slice(0, 12) });
  const [sb] = await d.cri.listPodSandbox({ id });
  if (!sb) throw new Error(`sandbox ${id} vanished right after it was created`);
  return sb;
}

function specHash(spec: ContainerSpec): string {
  return createHash('sha256').update(JSON.stringify({ ...spec, resources: undefined })).digest('hex').slice(0, 16);
}

function shouldRestart(policy: string, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

async function syncContainer(d: SyncDeps, pod: KubeObject, sandbox: PodSandbox, spec: ContainerSpec, all: Container[], policy: string,
  podIP: string | undefined, later: (ms: number) => void): Promise<ObservedContainer> {
  const uid = pod.metadata.uid as string;
  const mine = all.filter((c) => c.labels[LABEL_CONTAINER_NAME] === spec.name && c.podSandboxId === sandbox.id).sort((a,
    b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0));
  // keep the newest two (the current one and the previous, for `logs --previous`)
  for (const old of mine.slice(2)) await d.cri.removeContainer(old.id).catch(() => undefined);
  const curC = mine[0];
  let cur: ContainerStatus | undefined = curC ? (await d.cri.containerStatus(curC.id)).status ?? undefined : undefined;
  const prev: ContainerStatus | undefined = mine[1] ? (await d.cri.containerStatus(mine[1].id)).status ?? undefined : undefined;
  const attempt = curC?.metadata?.attempt ?? -1;
  const o: ObservedContainer = { name: spec.name, image: spec.image, current: cur, previous: prev, restartCount: Math.max(0, attempt) };
  const hash = specHash(spec);
  const key = `${uid}/${spec.name}`;

  if (cur?.state === 'CONTAINER_CREATED') {
    await d.cri.startContainer(cur.id);
    o.current = (await d.cri.containerStatus(cur.id)).status ?? undefined;
    return o;
  }
  if (cur?.state === 'CONTAINER_RUNNING') {
    if (cur.annotations[ANNOTATION_HASH] === hash) return o;
    // the container's spec changed (e.g. its image): replace it
    await d.cri.stopContainer(cur.id, pod.spec?.terminationGracePeriodSeconds ?? 30);
    cur = (await d.cri.containerStatus(cur.id)).status ?? undefined;
    o.current = cur;
  }
  if (cur && cur.state === 'CONTAINER_EXITED') {
    if (!shouldRestart(policy, cur.exitCode)) return o;
    // crashes and failed starts (StartError, which never started) back off alike, from when the container exited
    const now = Date.now();
    const decision = restartDecision(d.restarts, key, exitedAtMs(cur, now), now);
    if (!decision.restart) {
      o.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(decision.delay)} restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})` };
      event(d, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`);
      later(decision.retryInMs + 50);
      return o;
    }
  }
  const pulled = await d.images.ensure(spec.image, spec.imagePullPolicy, uid);
  if (!pulled.ok) {
    o.waiting = { reason: pulled.reason, message: pulled.message };
    if (pulled.reason === 'ImagePullBackOff') event(d, pod, 'Normal', 'BackOff', pulled.message);
    else event(d, pod, 'Warning', 'Failed', pulled.message);
    event(d, pod, 'Warning', 'Failed', `Error: ${pulled.reason}`);
    // ErrImagePull shows for a moment; the next look finds the back-off (ImagePullBackOff) and waits it out
    if (pulled.reason === 'ErrImagePull') later(2000);
    else if (pulled.retryInMs !== undefined) later(pulled.retryInMs + 50);
    return o;
  }
  const env = envFor(pod, spec, { nodeName: d.nodeName, hostIP: d.hostIP, podIP } satisfies PodEnvFacts, () => undefined);
  try {
    await resolveEnvRefs(d, pod, spec, env);
  } catch (e) {
    o.waiting = { reason: 'CreateContainerConfigError', message: (e as Error).message };
    later(10_000);
    return o;
  }
  const next = attempt + 1;
  let id: string;
  try {
    id = await d.cri.createContainer(sandbox.id, containerConfig(pod, spec, env, spec.image, next, hash), sandboxConfig(pod, d.logRoot,
      sandbox.metadata?.attempt ?? 0));
  } catch (e) {
    o.waiting = { reason: 'CreateContainerError', message: (e as Error).message };
    event(d, pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
    later(d.restarts.next(`${key}/create`));
    return o;
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
    log.warn('container failed to start', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: spec.name, attempt: next, error: startError });
    event(d, pod, 'Warning', 'Failed', `Error: ${startError}`);
  }
  if (startError === undefined) log.info('container started', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: spec.name, attempt: next });
  o.current = (await d.cri.containerStatus(id)).status ?? undefined;
  o.previous = cur ?? prev;
  o.restartCount = next;
  // until then, a container that will be restarted waits with the kubelet's reason; one that won't shows how it ended
  if (startError !== undefined && shouldRestart(policy, o.current?.exitCode ?? 128)) o.waiting = { reason: 'RunContainerError', message: startError };
  return o;
}

function event(d: SyncDeps, pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
  d.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, message);
}

/** Fills env values that come from ConfigMaps and Secrets (read live; a missing optional key gives ''). */
async function resolveEnvRefs(d: SyncDeps, pod: KubeObject, spec: ContainerSpec, env: Array<{ key: string; value: string }>): Promise<void> {
  const ns = pod.metadata.namespace as string;
  for (const [i, e] of (spec.env ?? []).entries()) {
    const ref = (e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef) as { name: string; key: string; optional?: boolean } | undefined;
    if (!ref) continue;
    const secret = !!e.valueFrom?.secretKeyRef;
    try {
      const obj = await d.client.get(secret ? SECRET : CONFIGMAP, ref.name, { namespace: ns });
      const raw = (obj.data as Record<string, string> | undefined)?.[ref.key];
      if (raw === undefined && !ref.optional) throw new Error(`couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`);
      (env[i] as { value: string }).value = raw === undefined ? '' : secret ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    } catch (err) {
      if (isNotFound(err) && ref.optional) continue;
      throw err;
    }
  }
}
