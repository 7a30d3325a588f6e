// One prober per running container: a timer per probe it declares (startup, liveness, readiness), each firing every
// periodSeconds from initialDelaySeconds after the container started, with the kubelet's rules - a result changes
// only after successThreshold/failureThreshold equal outcomes in a row; startup holds back the other two until it
// succeeds (then readiness runs at once); a liveness or startup failure puts the prober on hold until the
// container is replaced; every failure is an `Unhealthy` event. A changed result calls onChange (the pod's status
// and, for liveness/startup failures, a restart follow from the next sync): no sync per probe.
import type { KubeObject } from '../../../lib/api/types.js';
import type { CriClient } from '../../cri/client.js';
import type { ContainerSpec, Probe } from '../spec.js';
import { runExec, runGrpc, runHttpGet, runTcp, type ActionOutcome, type ActionTarget } from './actions.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
const KINDS: ProbeKind[] = ['startup', 'liveness', 'readiness'];
const TITLE: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

export const probeOf = (spec: ContainerSpec, kind: ProbeKind): Probe | undefined => (kind === 'startup' ? spec.startupProbe : kind === 'liveness' ? spec.livenessProbe : spec.readinessProbe);

/** What the pod workers read about a container's probes. */
export interface ProbeState {
  /** Startup probe passed (or none). */
  started: boolean;
  /** Started, and readiness probe passing (or none). */
  ready: boolean;
  livenessFailed: boolean;
  startupFailed: boolean;
}

/** The state of a container that no prober has looked at yet. */
export function initialState(spec: ContainerSpec): ProbeState {
  const started = !spec.startupProbe;
  return { started, ready: started && !spec.readinessProbe, livenessFailed: false, startupFailed: false };
}

export interface ProberTarget {
  pod: KubeObject;
  spec: ContainerSpec;
  containerId: string;
  /** When the container started (ms since the epoch): initialDelaySeconds count from there. */
  startedAtMs: number;
  podIP?: string;
}

export interface ProberDeps {
  cri: CriClient;
  /** A result changed: the pod should be synced. */
  onChange(uid: string): void;
  /** Records an event about the pod (Unhealthy, ProbeWarning). */
  record(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** When the agent started: probes of containers found at start are spread over their first period. */
  agentStartMs: number;
  /** Runs one probe action (tests replace it). */
  run?: (t: ActionTarget, p: Probe) => Promise<ActionOutcome>;
}

/** Runs whichever action the probe declares. */
export function runProbe(t: ActionTarget, p: Probe): Promise<ActionOutcome> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
  if (p.exec) return runExec(t, p.exec.command ?? [], p.timeoutSeconds ?? 1);
  if (p.httpGet) return runHttpGet(t, p.httpGet, timeoutMs);
  if (p.tcpSocket) return runTcp(t, p.tcpSocket, timeoutMs);
  if (p.grpc) return runGrpc(t, p.grpc, timeoutMs);
  return Promise.resolve({ result: 'unknown', output: 'missing probe handler' });
}

interface Run {
  timer?: NodeJS.Timeout;
  /** The last outcome (success/failure) and how many times in a row. */
  last?: 'success' | 'failure';
  count: number;
  /** The result in force (undefined: none yet). */
  result?: 'success' | 'failure';
  running: boolean;
}

export class ContainerProber {
  private readonly runs = new Map<ProbeKind, Run>();
  private onHold = false;
  private stopped = false;

  constructor(private target: ProberTarget, private readonly deps: ProberDeps, reported?: { started?: boolean; ready?: boolean }) {
    for (const kind of KINDS) if (probeOf(target.spec, kind)) this.runs.set(kind, { count: 0, running: false });
    // the kubelet's initial results: readiness fails until a probe passes, liveness passes until one fails - unless
    // the pod's status already says this very container started and is ready (the agent restarted under it): then
    // it stays so until a probe says otherwise, rather than flapping the pod out of its Deployment and endpoints
    const r = this.runs.get('readiness');
    if (r) r.result = reported?.ready ? 'success' : 'failure';
    const s = this.runs.get('startup');
    if (s && reported?.started) s.result = 'success';
  }

  get containerId(): string {
    return this.target.containerId;
  }

  get hasProbes(): boolean {
    return this.runs.size > 0;
  }

  state(): ProbeState {
    const startup = this.runs.get('startup');
    const started = !startup || startup.result === 'success';
    const readiness = this.runs.get('readiness');
    return {
      started,
      ready: started && (!readiness || readiness.result === 'success'),
      livenessFailed: this.runs.get('liveness')?.result === 'failure',
      startupFailed: startup?.result === 'failure',
    };
  }

  /** The latest pod object (IP, labels for events) for the probes to come. */
  update(t: ProberTarget): void {
    this.target = t;
  }

  start(): void {
    const now = Date.now();
    for (const [kind] of this.runs) {
      const p = probeOf(this.target.spec, kind) as Probe;
      const period = (p.periodSeconds ?? 10) * 1000;
      let at = Math.max(now, this.target.startedAtMs + (p.initialDelaySeconds ?? 0) * 1000);
      // right after an agent restart, every container's probes would fire at once: spread them over a period
      if (now - this.deps.agentStartMs < period) at += Math.floor(Math.random() * period);
      this.schedule(kind, at - now);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.runs.values()) clearTimeout(r.timer);
  }

  private schedule(kind: ProbeKind, delayMs: number): void {
    const r = this.runs.get(kind);
    if (!r || this.stopped) return;
    clearTimeout(r.timer);
    r.timer = setTimeout(() => void this.tick(kind), Math.max(0, delayMs));
    r.timer.unref();
  }

  private async tick(kind: ProbeKind): Promise<void> {
    const r = this.runs.get(kind) as Run;
    const p = probeOf(this.target.spec, kind) as Probe;
    const period = (p.periodSeconds ?? 10) * 1000;
    if (this.stopped || r.running) return;
    const started = this.state().started;
    if (kind === 'startup' && started) return; // done: the startup probe runs no more
    if ((kind !== 'startup' && !started) || (this.onHold && kind !== 'readiness') || this.target.pod.metadata.deletionTimestamp) {
      this.schedule(kind, period);
      return;
    }
    r.running = true;
    const began = Date.now();
    let outcome: ActionOutcome;
    try {
      outcome = await (this.deps.run ?? runProbe)({ cri: this.deps.cri, containerId: this.target.containerId, podIP: this.target.podIP,
        ports: this.target.spec.ports ?? [] }, p);
    } catch (e) {
      outcome = { result: 'unknown', output: (e as Error).message };
    } finally {
      r.running = false;
    }
    if (this.stopped) return;
    this.record(kind, outcome);
    this.schedule(kind, Math.max(0, began + period - Date.now()));
  }

  private record(kind: ProbeKind, o: ActionOutcome): void {
    const pod = this.target.pod;
    if (o.result === 'unknown') {
      // an error of the prober itself (the container is gone...): reported, but it decides nothing
      this.deps.record(pod, 'Warning', 'Unhealthy', `${TITLE[kind]} probe errored and resulted in unknown state: ${o.output}`);
      return;
    }
    if (o.result === 'failure') this.deps.record(pod, 'Warning', 'Unhealthy', `${TITLE[kind]} probe failed: ${o.output}`);
    if (o.result === 'warning') this.deps.record(pod, 'Warning', 'ProbeWarning', `${TITLE[kind]} probe warning: ${o.output}`);
    const outcome = o.result === 'failure' ? 'failure' : 'success';
    const r = this.runs.get(kind) as Run;
    if (r.last === outcome) r.count++;
    else {
      r.last = outcome;
      r.count = 1;
    }
    const p = probeOf(this.target.spec, kind) as Probe;
    const threshold = outcome === 'failure' ? (p.failureThreshold ?? 3) : (p.successThreshold ?? 1);
    if (r.count < threshold) return;
    const before = this.state();
    r.result = outcome;
    if (outcome === 'failure' && kind !== 'readiness') {
      // the container will be restarted: probe no more until a new one replaces it
      this.onHold = true;
      r.count = 0;
    }
    const after = this.state();
    if (kind === 'startup' && outcome === 'success' && this.runs.has('readiness')) this.schedule('readiness', 0);
    if (before.started !== after.started || before.ready !== after.ready || before.livenessFailed !== after.livenessFailed
      || before.startupFailed !== after.startupFailed) {
      this.deps.onChange(pod.metadata.uid as string);
    }
  }
}
