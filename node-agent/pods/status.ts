// Pod status as the kubelet reports it, computed from what the runtime says about the pod's sandbox and
// containers: phase, conditions, IPs, and one containerStatus per container (state, lastState, ready, started,
// restartCount, image, imageID, containerID).
import type { KubeObject } from '../../lib/api/types.js';
import type { ContainerStatus } from '../cri/types.js';
import { rfc3339 } from '../../lib/api/time.js';

export interface ObservedContainer {
  name: string;
  image: string;
  /** The newest runtime container for this name, if any. */
  current?: ContainerStatus;
  /** The one before it (for lastState and `logs --previous`). */
  previous?: ContainerStatus;
  /** Why the container isn't running, when the agent knows better than the runtime (pull errors, back-off). */
  waiting?: { reason: string; message?: string };
  restartCount: number;
}

export interface ObservedPod {
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  startTime: string;
  containers: ObservedContainer[];
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

const time = (ns: number): string | null => (ns > 0 ? rfc3339(Math.floor(ns / 1e6)) : null);

/** `{ [key]: time }` for a time the runtime recorded; nothing at all for one it did not (0). */
const timeField = (key: string, ns: number): Record<string, string> => (ns > 0 ? { [key]: time(ns) as string } : {});

function terminated(s: ContainerStatus): Record<string, unknown> {
  const reason = s.reason || (s.exitCode === 0 ? 'Completed' : 'Error');
  // A container that failed to start (StartError) never started: it gets no startedAt, rather than a zero time that
  // clients print as "Mon, 01 Jan 0001" (the kubelet writes 1970-01-01T00:00:00Z there).
  return { terminated: { exitCode: s.exitCode, reason, ...(s.message ? { message: s.message } : {}), ...timeField('startedAt', s.startedAt), ...timeField('finishedAt', s.finishedAt), containerID: `containerd://${s.id}` } };
}

function containerStatus(c: ObservedContainer): Record<string, unknown> {
  const cur = c.current;
  let state: Record<string, unknown>;
  if (c.waiting) state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
  else if (!cur || cur.state === 'CONTAINER_CREATED' || cur.state === 'CONTAINER_UNKNOWN') state = { waiting: { reason: 'ContainerCreating' } };
  else if (cur.state === 'CONTAINER_RUNNING') state = { running: { startedAt: time(cur.startedAt) } };
  else state = terminated(cur);
  // a container waiting to restart shows how it last ended
  const last = c.waiting && cur?.state === 'CONTAINER_EXITED' ? cur : c.previous?.state === 'CONTAINER_EXITED' ? c.previous : undefined;
  const running = !c.waiting && cur?.state === 'CONTAINER_RUNNING';
  return {
    name: c.name,
    state,
    lastState: last ? terminated(last) : {},
    ready: running,
    restartCount: c.restartCount,
    image: c.image,
    imageID: cur?.imageRef ?? '',
    ...(cur ? { containerID: `containerd://${cur.id}` } : {}),
    started: running,
  };
}

/** The pod phase from its containers, as the kubelet decides it. */
export function phaseOf(o: ObservedPod): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of o.containers) {
    const s = c.current;
    if (c.waiting || !s || s.state === 'CONTAINER_CREATED' || s.state === 'CONTAINER_UNKNOWN') {
      // waiting after having run once counts as running (it is being restarted)
      if (c.restartCount > 0 || c.current?.state === 'CONTAINER_EXITED') running++;
      else waiting++;
    } else if (s.state === 'CONTAINER_RUNNING') running++;
    else if (s.exitCode === 0) succeeded++;
    else failed++;
  }
  const n = o.containers.length;
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (succeeded + failed === n) {
    if (o.restartPolicy === 'Always') return 'Running';
    if (failed === 0) return 'Succeeded';
    return o.restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

type Condition = { type: string; status: 'True' | 'False'; reason?: string; message?: string; lastProbeTime: null; lastTransitionTime: string };

export function podStatus(pod: KubeObject, o: ObservedPod): Record<string, unknown> {
  const statuses = o.containers.map(containerStatus);
  const phase = phaseOf(o);
  const notReady = statuses.filter((s) => !s.ready).map((s) => s.name as string);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const prev = new Map(((pod.status?.conditions as Condition[] | undefined) ?? []).map((c) => [c.type, c]));
  const now = rfc3339();
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status = ok ? 'True' : 'False';
    const before = prev.get(type);
    return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: null,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now };
  };
  const ready = notReady.length === 0 && !terminal;
  const why = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const msg = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  return {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', o.sandboxReady),
      cond('Initialized', true),
      cond('Ready', ready, ready ? undefined : why, ready ? undefined : msg),
      cond('ContainersReady', ready, ready ? undefined : why, ready ? undefined : msg),
      cond('PodScheduled', true),
    ],
    hostIP: o.hostIP,
    hostIPs: [{ ip: o.hostIP }],
    ...(o.podIP ? { podIP: o.podIP, podIPs: [{ ip: o.podIP }] } : {}),
    startTime: o.startTime,
    qosClass: pod.status?.qosClass,
    containerStatuses: statuses,
  };
}
