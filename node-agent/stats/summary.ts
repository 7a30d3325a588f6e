// Resource usage of the node and its pods, as the kubelet's Summary API (stats/v1alpha1) reports it: served at
// GET /stats/summary by the node agent and read by the API server's metrics.k8s.io (metrics/ in apiserver/).
//
// The runtime gives cumulative counters (CPU nanoseconds, per container, from its cgroup through the CRI's
// ListContainerStats) and the machine gives them in /proc; a rate needs two samples. As cAdvisor does for the kubelet,
// a sampler takes one every `intervalMs` and the summary reports the rate over the last two (the "window"), so a
// request never waits for a second sample and many readers cost the runtime nothing more.
import { readFile } from 'node:fs/promises';
import { logger } from '../../lib/util/log.js';
import type { CriClient } from '../cri/client.js';
import type { ContainerStats, NumberValue } from '../cri/types.js';
import type { CpuStats, MemoryStats, PodSummary, Summary } from '../../lib/api/summary.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pods/config.js';

const log = logger('stats');

/** One reading of a cumulative CPU counter and the memory in use then. */
interface Sample { atNs: number; cpuNs: number; workingSet: number; usage?: number; available?: number; rss?: number }

/** Where the machine-wide numbers come from (a seam for unit tests). */
export interface HostReader {
  /** Cumulative CPU time of the whole machine in nanoseconds (all cores, busy states only). */
  cpuNs(): Promise<number>;
  /** Memory of the machine, in bytes. */
  memory(): Promise<{ total: number; free: number; available: number; inactiveFile: number }>;
}

/** /proc/stat and /proc/meminfo. */
export const procHost: HostReader = {
  async cpuNs() {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
    if (!line) throw new Error('/proc/stat has no cpu line');
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait, in USER_HZ (100 per second)
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy * 10_000_000;
  },
  async memory() {
    const kb = new Map<string, number>();
    for (const l of (await readFile('/proc/meminfo', 'utf8')).split('\n')) {
      const m = /^([^:]+):\s+(\d+)/.exec(l);
      if (m) kb.set(m[1] as string, Number(m[2]) * 1024);
    }
    return { total: kb.get('MemTotal') ?? 0, free: kb.get('MemFree') ?? 0, available: kb.get('MemAvailable') ?? 0, inactiveFile: kb.get('Inactive(file)') ?? 0 };
  },
};

const num = (v: NumberValue | null | undefined): number | undefined => (v == null ? undefined : Number(v.value));

interface ContainerKey { podUid: string; podName: string; namespace: string; name: string; attempt: number }

export class StatsSampler {
  /** The last two samples per container id, and of the node. */
  private readonly containers = new Map<string, { key: ContainerKey; prev?: Sample; last: Sample }>();
  private node?: { prev?: Sample; last: Sample };
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly cri: CriClient, private readonly o: { nodeName: string; intervalMs?: number; host?: HostReader; now?: () => number }) {}

  start(): void {
    const every = this.o.intervalMs ?? 10_000;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes one sample of everything (one at a time: a slow runtime is not asked twice at once). */
  sample(): Promise<void> {
    this.running ??= this.takeSample().catch((e: Error) => log.warn('taking resource stats failed', { error: e.message })).finally(() => (this.running = undefined));
    return this.running;
  }

  private nowNs(): number {
    return (this.o.now?.() ?? Date.now()) * 1e6;
  }

  private async takeSample(): Promise<void> {
    const host = this.o.host ?? procHost;
    const [stats, cpuNs, mem] = await Promise.all([this.cri.listContainerStats({}), host.cpuNs(), host.memory()]);
    const at = this.nowNs();
    const usage = mem.total - mem.free;
    const nodeSample: Sample = { atNs: at, cpuNs, workingSet: Math.max(0, usage - mem.inactiveFile), usage, available: mem.available };
    this.node = { prev: this.node?.last, last: nodeSample };
    const seen = new Set<string>();
    for (const s of stats) {
      const id = s.attributes?.id;
      const key = id ? keyOf(s) : undefined;
      const cpu = num(s.cpu?.usageCoreNanoSeconds);
      if (!id || !key || cpu === undefined) continue;
      seen.add(id);
      const sample: Sample = {
        atNs: s.cpu?.timestamp ? Number(s.cpu.timestamp) : at, cpuNs: cpu,
        workingSet: num(s.memory?.workingSetBytes) ?? 0, usage: num(s.memory?.usageBytes), rss: num(s.memory?.rssBytes),
      };
      const had = this.containers.get(id);
      this.containers.set(id, { key, prev: had?.last, last: sample });
    }
    // containers gone from the runtime are forgotten
    for (const id of this.containers.keys()) if (!seen.has(id)) this.containers.delete(id);
  }

  /** The summary from the last two samples; a container seen only once yet has no CPU rate (and is left out). */
  summary(): Summary {
    const out: Summary = { node: { nodeName: this.o.nodeName }, pods: [] };
    if (this.node) {
      out.node.cpu = cpuOf(this.node.prev, this.node.last);
      out.node.memory = memoryOf(this.node.last);
      if (this.node.prev) out.windowSeconds = (this.node.last.atNs - this.node.prev.atNs) / 1e9;
    }
    const pods = new Map<string, PodSummary>();
    // the newest container of each name in a pod (a restarted container's old one may linger a moment)
    const newest = new Map<string, { key: ContainerKey; prev?: Sample; last: Sample }>();
    for (const c of this.containers.values()) {
      const k = `${c.key.podUid}/${c.key.name}`;
      const had = newest.get(k);
      if (!had || had.key.attempt < c.key.attempt) newest.set(k, c);
    }
    for (const c of newest.values()) {
      const cpu = cpuOf(c.prev, c.last);
      if (cpu.usageNanoCores === undefined) continue;
      let p = pods.get(c.key.podUid);
      if (!p) pods.set(c.key.podUid, (p = { podRef: { name: c.key.podName, namespace: c.key.namespace, uid: c.key.podUid }, containers: [] }));
      p.containers.push({ name: c.key.name, cpu, memory: memoryOf(c.last) });
    }
    for (const p of pods.values()) {
      p.containers.sort((a, b) => a.name.localeCompare(b.name));
      const time = p.containers[0]?.cpu?.time ?? new Date().toISOString();
      p.cpu = {
        time,
        usageNanoCores: p.containers.reduce((n, c) => n + (c.cpu?.usageNanoCores ?? 0), 0),
        usageCoreNanoSeconds: p.containers.reduce((n, c) => n + (c.cpu?.usageCoreNanoSeconds ?? 0), 0),
      };
      p.memory = { time, workingSetBytes: p.containers.reduce((n, c) => n + (c.memory?.workingSetBytes ?? 0), 0) };
      out.pods.push(p);
    }
    out.pods.sort((a, b) => `${a.podRef.namespace}/${a.podRef.name}`.localeCompare(`${b.podRef.namespace}/${b.podRef.name}`));
    return out;
  }
}

function keyOf(s: ContainerStats): ContainerKey | undefined {
  const l = s.attributes?.labels ?? {};
  const podUid = l[LABEL_POD_UID];
  const podName = l[LABEL_POD_NAME];
  const namespace = l[LABEL_POD_NAMESPACE];
  const name = l[LABEL_CONTAINER_NAME] ?? s.attributes?.metadata?.name;
  return podUid && podName && namespace && name ? { podUid, podName, namespace, name, attempt: s.attributes?.metadata?.attempt ?? 0 } : undefined;
}

function cpuOf(prev: Sample | undefined, last: Sample): CpuStats {
  const time = new Date(last.atNs / 1e6).toISOString();
  const dt = prev ? last.atNs - prev.atNs : 0;
  // a counter that went back (a restarted container under the same id cannot, but be safe) gives no rate
  const usageNanoCores = prev && dt > 0 && last.cpuNs >= prev.cpuNs ? Math.round(((last.cpuNs - prev.cpuNs) / dt) * 1e9) : undefined;
  return { time, usageCoreNanoSeconds: last.cpuNs, ...(usageNanoCores !== undefined ? { usageNanoCores } : {}) };
}

function memoryOf(s: Sample): MemoryStats {
  return {
    time: new Date(s.atNs / 1e6).toISOString(), workingSetBytes: s.workingSet,
    ...(s.usage !== undefined ? { usageBytes: s.usage } : {}),
    ...(s.available !== undefined ? { availableBytes: s.available } : {}),
    ...(s.rss !== undefined ? { rssBytes: s.rss } : {}),
  };
}
