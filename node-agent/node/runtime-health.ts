// The node agent's view of its container runtime, as the kubelet keeps it: every 5 s a CRI Status (and Version) with
// a short deadline. A successful check with RuntimeReady records the time; once no check has succeeded for 30 s the
// runtime "is down", and the node's Ready condition says so (Ready=False, KubeletNotReady, "container runtime is
// down"), until a check succeeds again. The conditions the runtime reports itself (RuntimeReady, NetworkReady) go
// into the message in the kubelet's words. A change of readiness is reported at once (onChange), not at the next
// periodic node status update.
import { logger } from '../../lib/util/log.js';
import type { CriClient } from '../cri/client.js';
import type { RuntimeCondition, VersionResponse } from '../cri/types.js';

const log = logger('node-agent');

export interface RuntimeHealthOptions {
  /** Time between checks. Default 5 s (the kubelet's). */
  periodMs?: number;
  /** How long without a good check before the runtime is down. Default 30 s (the kubelet's). */
  thresholdMs?: number;
  /** Deadline of each check's CRI calls. Default 5 s. */
  timeoutMs?: number;
  /** Called when the errors change from none to some, or back. */
  onChange?: (ready: boolean) => void;
  now?: () => number;
}

type Cri = Pick<CriClient, 'status' | 'version'>;

/** kubecontainer.RuntimeCondition's String(), which the kubelet prints into its messages. */
const describe = (type: string, c: RuntimeCondition | undefined) =>
  c ? `${c.type}=${c.status ? 'true' : 'false'} reason:${c.reason} message:${c.message}` : `${type}=<nil>`;

/** utilerrors.NewAggregate(errs).Error(): one message as it is, several in brackets, duplicates once. */
export function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(', ')}]`;
}

export class RuntimeHealth {
  private readonly periodMs: number;
  private readonly thresholdMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** When the last check found the runtime up and ready (0 = never). */
  private lastSync = 0;
  private runtimeError?: string;
  private networkError?: string;
  private lastVersion?: VersionResponse;
  private wasReady?: boolean;
  private failing = false;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly cri: Cri, private readonly o: RuntimeHealthOptions = {}) {
    this.periodMs = o.periodMs ?? 5000;
    this.thresholdMs = o.thresholdMs ?? 30_000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
  }

  /** The runtime's version from the last good check. */
  get version(): VersionResponse | undefined {
    return this.lastVersion;
  }

  /** One check now, then one every period. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Asks the runtime once and updates what errors() reports. Never throws. */
  async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [version, status] = await Promise.all([this.cri.version({ timeoutMs: this.timeoutMs }), this.cri.status(false, { timeoutMs: this.timeoutMs })]);
      if (this.failing) log.info('container runtime answers again', { runtime: `${version.runtimeName}://${version.runtimeVersion}` });
      this.failing = false;
      this.lastVersion = version;
      const conditions = status.status?.conditions ?? [];
      const network = conditions.find((c) => c.type === 'NetworkReady');
      this.networkError = network?.status ? undefined : `container runtime network not ready: ${describe('NetworkReady', network)}`;
      const runtime = conditions.find((c) => c.type === 'RuntimeReady');
      this.runtimeError = runtime?.status ? undefined : `container runtime not ready: ${describe('RuntimeReady', runtime)}`;
      if (!this.runtimeError) this.lastSync = this.now();
    } catch (e) {
      if (!this.failing) log.warn('container runtime sanity check failed', { error: (e as Error).message });
      this.failing = true;
    } finally {
      this.busy = false;
    }
    this.notify();
  }

  /** The kubelet's runtime and network errors, in its words; empty while the runtime is healthy. */
  errors(): string[] {
    const errs: string[] = [];
    if (this.lastSync === 0) errs.push('container runtime status check may not have completed yet');
    else if (this.now() - this.lastSync >= this.thresholdMs) errs.push('container runtime is down');
    if (this.runtimeError) errs.push(this.runtimeError);
    if (this.networkError) errs.push(this.networkError);
    return errs;
  }

  /** The node's Ready condition from errors(). */
  ready(): { status: 'True' | 'False'; reason: string; message: string } {
    const errs = this.errors();
    if (!errs.length) return { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
    return { status: 'False', reason: 'KubeletNotReady', message: aggregate(errs) };
  }

  private notify(): void {
    const ready = this.errors().length === 0;
    if (this.wasReady !== undefined && ready !== this.wasReady) {
      log.info(ready ? 'container runtime is ready; node Ready' : 'container runtime is not ready; node NotReady', { errors: this.errors() });
      this.o.onChange?.(ready);
    }
    this.wasReady = ready;
  }
}
