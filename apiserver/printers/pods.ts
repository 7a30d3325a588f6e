// The pod row: READY, STATUS and RESTARTS computed the way kubectl shows them - init containers (Init:1/2,
// Init:Error, Init:CrashLoopBackOff), sidecars (init containers with restartPolicy Always: counted in READY,
// initialized once started), PodInitializing, NotReady, SchedulingGated, Terminating.
import type { KubeObject } from '../../lib/api/types.js';
import { humanDuration } from '../../lib/api/duration.js';

type Terminated = { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
type State = { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: Terminated };
type CStatus = { name?: string; ready?: boolean; started?: boolean; restartCount?: number; state?: State; lastState?: State };
type Condition = { type?: string; status?: string; reason?: string };

export function podReadyRestartsStatus(pod: KubeObject, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const conditions = (st.conditions ?? []) as Condition[];
  const sidecars = new Set(((spec.initContainers ?? []) as Array<{ name: string; restartPolicy?: string }>).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const total = ((spec.containers ?? []) as unknown[]).length + sidecars.size;
  let reason: string = st.reason || st.phase || 'Pending';
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;
  const finished = (c: CStatus) => (c.lastState?.terminated?.finishedAt ? Date.parse(c.lastState.terminated.finishedAt) : 0);

  let initializing = false;
  const inits = (st.initContainerStatuses ?? []) as CStatus[];
  for (const [i, c] of inits.entries()) {
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c));
    const sidecar = sidecars.has(c.name ?? '');
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(c));
    }
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${((spec.initContainers ?? []) as unknown[]).length}`;
    initializing = true;
    break;
  }
  if (!initializing || conditions.some((c) => c.type === 'Initialized' && c.status === 'True')) {
    // restarts of regular init containers no longer count once the pod is initialized
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = (st.containerStatuses ?? []) as CStatus[];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i] as CStatus;
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c));
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  const terminal = st.phase === 'Succeeded' || st.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';
  let r = String(restarts);
  if (lastRestart && restarts) r += ` (${humanDuration(now.getTime() - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: r };
}
