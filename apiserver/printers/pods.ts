// The pod row: READY and STATUS computed the way kubectl shows them.
import type { KubeObject } from '../../lib/api/types.js';
import { humanDuration } from '../../lib/api/duration.js';

type Terminated = { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
type State = { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: Terminated };
type CStatus = { ready?: boolean; restartCount?: number; state?: State; lastState?: State };

export function podReadyRestartsStatus(pod: KubeObject, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const containers = (spec.containers ?? []) as unknown[];
  let reason: string = st.reason ?? st.phase ?? 'Pending';
  let restarts = 0;
  let lastRestart = 0;
  const bump = (c: CStatus) => {
    restarts += c.restartCount ?? 0;
    const fin = c.lastState?.terminated?.finishedAt;
    if (fin) lastRestart = Math.max(lastRestart, Date.parse(fin));
  };
  let initializing = false;
  const inits = (st.initContainerStatuses ?? []) as CStatus[];
  inits.forEach((c, i) => {
    bump(c);
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (initializing) return;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${((spec.initContainers ?? []) as unknown[]).length}`;
  });
  let ready = 0;
  if (!initializing) {
    let hasRunning = false;
    const cs = (st.containerStatuses ?? []) as CStatus[];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i] as CStatus;
      bump(c);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  let r = String(restarts);
  if (lastRestart && restarts) r += ` (${humanDuration(now.getTime() - lastRestart)} ago)`;
  return { ready: `${ready}/${containers.length}`, status: reason, restarts: r };
}
