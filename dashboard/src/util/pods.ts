// A pod's state as kubectl's table shows it: READY, STATUS (the most telling reason: CrashLoopBackOff,
// ContainerCreating, Terminating, ...), RESTARTS; and what it asks of its node.
import type { KubeObject } from '../api/types.js';
import { parseQuantity } from './format.js';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number };
}
interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

const statuses = (p: KubeObject, key = 'containerStatuses'): ContainerStatus[] => (p.status?.[key] as ContainerStatus[] | undefined) ?? [];

/** kubectl's STATUS column. */
export function podStatus(p: KubeObject): string {
  let reason: string = p.status?.reason || p.status?.phase || 'Pending';
  let initializing = false;
  const inits = statuses(p, 'initContainerStatuses');
  const initCount = (p.spec?.initContainers as unknown[] | undefined)?.length ?? 0;
  inits.forEach((c, i) => {
    if (initializing) return;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...statuses(p)].reverse()) {
      const s = c.state ?? {};
      if (s.waiting?.reason) reason = s.waiting.reason;
      else if (s.terminated?.reason) reason = s.terminated.reason;
      else if (s.terminated) reason = s.terminated.signal ? `Signal:${s.terminated.signal}` : `ExitCode:${s.terminated.exitCode}`;
      else if (s.running && c.ready) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = isReady(p) ? 'Running' : 'NotReady';
  }
  if (p.metadata.deletionTimestamp) reason = p.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export const isReady = (p: KubeObject): boolean => !!(p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');

/** `1/2`: ready containers of all containers. */
export function readyText(p: KubeObject): string {
  const total = (p.spec?.containers as unknown[] | undefined)?.length ?? 0;
  const ready = statuses(p).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

export const restarts = (p: KubeObject): number => statuses(p).reduce((n, c) => n + (c.restartCount ?? 0), 0);

export const containerNames = (p: KubeObject): string[] => ((p.spec?.containers as Array<{ name: string }> | undefined) ?? []).map((c) => c.name);

/** Whether a container of the pod has a previous (terminated) instance whose log can be read. */
export const hasPrevious = (p: KubeObject, container: string): boolean => !!statuses(p).find((c) => c.name === container)?.lastState?.terminated;

/** The CPU (cores) and memory (bytes) the pod requests of its node, as the scheduler counts them. */
export function podRequests(p: KubeObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of (p.spec?.containers as Array<{ resources?: { requests?: Record<string, string> } }> | undefined) ?? []) {
    const r = c.resources?.requests ?? {};
    cpu += parseQuantity(r.cpu) || 0;
    memory += parseQuantity(r.memory) || 0;
  }
  return { cpu, memory };
}

/** Pods that count against a node: not finished. */
export const isActive = (p: KubeObject): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'] as const;
