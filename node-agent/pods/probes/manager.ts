// The probe manager: one ContainerProber per running container that declares probes, created when the pod worker
// first sees the container running and stopped once it is gone; results read back by the pod worker for the
// container's ready/started status and for liveness/startup restarts.
import type { KubeObject } from '../../../lib/api/types.js';
import type { ContainerSpec } from '../spec.js';
import { ContainerProber, initialState, type ProberDeps, type ProbeState } from './prober.js';

export interface RunningContainer {
  spec: ContainerSpec;
  id: string;
  startedAtMs: number;
}

/** What the pod's status (as last written) says about this container, if it is the same container. */
function reportedState(pod: KubeObject, id: string): { started?: boolean; ready?: boolean } | undefined {
  const all = [...((pod.status?.containerStatuses ?? []) as Array<Record<string, unknown>>),
    ...((pod.status?.initContainerStatuses ?? []) as Array<Record<string, unknown>>)];
  const s = all.find((x) => x.containerID === `containerd://${id}`);
  return s ? { started: s.started === true, ready: s.ready === true } : undefined;
}

export class ProbeManager {
  private readonly probers = new Map<string, ContainerProber>();
  private readonly byPod = new Map<string, Set<string>>();

  constructor(private readonly deps: ProberDeps) {}

  /** Probers for exactly these running containers of the pod (new ones start, missing ones stop). */
  sync(pod: KubeObject, running: RunningContainer[], podIP: string | undefined): void {
    const uid = pod.metadata.uid as string;
    const want = new Set<string>();
    for (const c of running) {
      if (!c.spec.livenessProbe && !c.spec.readinessProbe && !c.spec.startupProbe) continue;
      want.add(c.id);
      const target = { pod, spec: c.spec, containerId: c.id, startedAtMs: c.startedAtMs, podIP };
      const existing = this.probers.get(c.id);
      if (existing) {
        existing.update(target);
        continue;
      }
      const p = new ContainerProber(target, this.deps, reportedState(pod, c.id));
      this.probers.set(c.id, p);
      p.start();
    }
    for (const id of this.byPod.get(uid) ?? []) {
      if (want.has(id)) continue;
      this.probers.get(id)?.stop();
      this.probers.delete(id);
    }
    if (want.size) this.byPod.set(uid, want);
    else this.byPod.delete(uid);
  }

  /** The probe results of a container (its initial state when no prober has run for it). */
  state(containerId: string, spec: ContainerSpec): ProbeState {
    return this.probers.get(containerId)?.state() ?? initialState(spec);
  }

  removePod(uid: string): void {
    for (const id of this.byPod.get(uid) ?? []) {
      this.probers.get(id)?.stop();
      this.probers.delete(id);
    }
    this.byPod.delete(uid);
  }

  /** Probers running now. */
  get size(): number {
    return this.probers.size;
  }

  stop(): void {
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
    this.byPod.clear();
  }
}
