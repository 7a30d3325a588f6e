// Pod status as the kubelet reports it, computed from what the runtime says about the pod's sandbox and containers
// and what the probes found: phase, conditions (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
// PodScheduled; other writers' conditions such as readiness gates are kept), IPs, and one status per container,
// init container (sidecars included) and ephemeral container (state, lastState with the termination message,
// ready, started, restartCount, image, imageID, containerID).
import type { KubeObject } from '../../lib/api/types.js';
import type { ContainerStatus } from '../cri/types.js';
import { rfc3339 } from '../../lib/api/time.js';
import { isSidecar, specOf } from './spec.js';

export interface ObservedContainer {
  name: string;
  image: string;
  /** The newest runtime container for this name, if any. */
  current?: ContainerStatus;
  /** The imageID to report for current, when it differs from the runtime's imageRef (ImagePuller.imageID). */
  imageID?: string;
  /** The one before it (for lastState and `logs --previous`). */
  previous?: ContainerStatus;
  /** Why the container isn't running, when the agent knows better than the runtime (pull errors, back-off). */
  waiting?: { reason: string; message?: string };
  restartCount: number;
  /** The probes' verdict on the current container while it runs (no probes: started and ready). */
  started?: boolean;
  ready?: boolean;
}

export interface ObservedPod {
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  startTime: string;
  initContainers?: ObservedContainer[];
  containers: ObservedContainer[];
  ephemeralContainers?: ObservedContainer[];
  /** Every init container completed (sidecars: started), or the app containers have run already. */
  initialized?: boolean;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** The termination message of an exited container (its file, or its log's end). */
  messageOf?: (s: ContainerStatus) => string;
}

type State = { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string | null }; terminated?: { exitCode: number; reason?: string } };
type ApiContainerStatus = { name: string; state: State; lastState: State; ready: boolean; started: boolean; restartCount: number; [k: string]: unknown };

const time = (ns: number): string | null => (ns > 0 ? rfc3339(Math.floor(ns / 1e6)) : null);

/** `{ [key]: time }` for a time the runtime recorded; nothing at all for one it did not (0). */
const timeField = (key: string, ns: number): Record<string, string> => (ns > 0 ? { [key]: time(ns) as string } : {});

function terminated(s: ContainerStatus, messageOf: ObservedPod['messageOf']): Record<string, unknown> {
  const reason = s.reason || (s.exitCode === 0 ? 'Completed' : 'Error');
  const message = messageOf ? messageOf(s) : s.message;
  // A container that failed to start (StartError) never started: it gets no startedAt, rather than a zero time that
  // clients print as "Mon, 01 Jan 0001" (the kubelet writes 1970-01-01T00:00:00Z there).
  return { terminated: { exitCode: s.exitCode, reason, ...(message ? { message } : {}), ...timeField('startedAt', s.startedAt), ...timeField('finishedAt', s.finishedAt), containerID: `containerd://${s.id}` } };
}

type Kind = 'app' | 'init' | 'sidecar' | 'ephemeral';

function containerStatus(c: ObservedContainer, kind: Kind, notCreated: string, messageOf: ObservedPod['messageOf']): ApiContainerStatus {
  const cur = c.current;
  let state: Record<string, unknown>;
  if (c.waiting) state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
  else if (!cur || cur.state === 'CONTAINER_CREATED' || cur.state === 'CONTAINER_UNKNOWN') state = { waiting: { reason: notCreated } };
  else if (cur.state === 'CONTAINER_RUNNING') state = { running: { startedAt: time(cur.startedAt) } };
  else state = terminated(cur, messageOf);
  // a container waiting to restart shows how it last ended
  const last = c.waiting && cur?.state === 'CONTAINER_EXITED' ? cur : c.previous?.state === 'CONTAINER_EXITED' ? c.previous : undefined;
  const running = !c.waiting && cur?.state === 'CONTAINER_RUNNING';
  const started = running && (c.started ?? true);
  // a completed init container counts as ready, as the kubelet reports it
  const ready = kind === 'init' ? !c.waiting && cur?.state === 'CONTAINER_EXITED' && cur.exitCode === 0 : started && (c.ready ?? true);
  return {
    name: c.name,
    state: state as State,
    lastState: (last ? terminated(last, messageOf) : {}) as State,
    ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: (cur && c.imageID) ?? cur?.imageRef ?? '',
    ...(cur ? { containerID: `containerd://${cur.id}` } : {}),
    started,
  };
}

/** The pod phase from its container statuses, by the kubelet's rules (sidecars don't decide it). */
export function phaseOf(pod: KubeObject, init: ApiContainerStatus[], app: ApiContainerStatus[], restartPolicy: ObservedPod['restartPolicy']): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const spec = specOf(pod);
  const byName = new Map(init.map((s) => [s.name, s]));
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers) {
    const s = byName.get(c.name);
    if (isSidecar(c)) {
      if (!s) {
        unknown++;
        continue;
      }
      if (s.state.running) {
        if (!s.started) pendingInit++;
        running++;
      } else if (s.state.waiting && !s.lastState.terminated) {
        pendingInit++;
        waiting++;
      }
      continue;
    }
    if (!s || s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  for (const s of app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  unknown += Math.max(0, spec.containers.length - app.length);
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  const anyAppStarted = app.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  if ((pendingInit > 0 && !anyAppStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

type Condition = { type: string; status: 'True' | 'False'; reason?: string; message?: string; lastProbeTime: null; lastTransitionTime: string };

/** The condition types this agent owns; any other (readiness gates, DisruptionTarget) is kept as written. */
const OWN = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

export function podStatus(pod: KubeObject, o: ObservedPod): Record<string, unknown> {
  const spec = specOf(pod);
  const initialized = o.initialized ?? true;
  const sidecars = new Set(spec.initContainers.filter(isSidecar).map((c) => c.name));
  const init = (o.initContainers ?? []).map((c) => containerStatus(c, sidecars.has(c.name) ? 'sidecar' : 'init', 'PodInitializing', o.messageOf));
  const app = o.containers.map((c) => containerStatus(c, 'app', initialized ? 'ContainerCreating' : 'PodInitializing', o.messageOf));
  const ephemeral = (o.ephemeralContainers ?? []).map((c) => containerStatus(c, 'ephemeral', 'ContainerCreating', o.messageOf));
  const phase = phaseOf(pod, init, app, o.restartPolicy);

  const prev = new Map(((pod.status?.conditions as Condition[] | undefined) ?? []).map((c) => [c.type, c]));
  const now = rfc3339();
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const before = prev.get(type);
    return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: null,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now };
  };
  const incomplete = init.filter((s) => (sidecars.has(s.name) ? !s.started : !s.ready)).map((s) => s.name);
  const unready = [...init.filter((s) => sidecars.has(s.name) && !s.ready), ...app.filter((s) => !s.ready)].map((s) => s.name);
  const containersReady = unready.length === 0;
  const cr = phase === 'Succeeded'
    ? cond('ContainersReady', false, 'PodCompleted')
    : cond('ContainersReady', containersReady, containersReady ? undefined : 'ContainersNotReady', containersReady ? undefined : `containers with unready status: [${unready.join(' ')}]`);
  // readiness gates: conditions others write; the pod is Ready only when each is True
  const gates: string[] = [];
  for (const g of (pod.spec?.readinessGates ?? []) as Array<{ conditionType: string }>) {
    const c = prev.get(g.conditionType);
    if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  const ready = cr.status === 'True'
    ? (gates.length ? cond('Ready', false, 'ReadinessGatesNotReady', gates.join(', ')) : cond('Ready', true))
    : cond('Ready', false, cr.reason, cr.message);
  const conditions = [
    cond('PodReadyToStartContainers', o.sandboxReady),
    initialized ? cond('Initialized', true) : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    ready,
    cr,
    cond('PodScheduled', true),
    ...[...prev.values()].filter((c) => !OWN.has(c.type)),
  ];
  return {
    phase,
    conditions,
    hostIP: o.hostIP,
    hostIPs: [{ ip: o.hostIP }],
    ...(o.podIP ? { podIP: o.podIP, podIPs: [{ ip: o.podIP }] } : {}),
    startTime: o.startTime,
    qosClass: pod.status?.qosClass,
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: app,
    ...(ephemeral.length ? { ephemeralContainerStatuses: ephemeral } : {}),
  };
}
