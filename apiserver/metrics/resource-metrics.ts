// metrics.k8s.io/v1beta1, built in: NodeMetrics and PodMetrics from the node agents' Summary API, what metrics-server
// serves in a Kubernetes cluster (there as an aggregated API). `kubectl top` and the HorizontalPodAutoscaler read it.
//
// The node agents sample every 10 s; a scrape of every node is shared by the requests that arrive within `cacheMs`
// (metrics-server keeps its last scrape the same way), and a node that doesn't answer within the timeout is left out
// of the lists (kubectl top shows it as <unknown>) rather than holding the request up.
import { formatCpu, formatMemory } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import type { PodSummary, Summary } from '../../lib/api/summary.js';

const log = logger('apiserver');

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

export interface MetricsSources {
  /** The nodes of the cluster (from the watch cache). */
  nodes(): Promise<KubeObject[]>;
  /** GET /stats/summary of one node's agent. */
  summary(node: KubeObject, signal: AbortSignal): Promise<Summary>;
}

export interface NodeMetrics extends KubeObject {
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
}

export interface PodMetrics extends KubeObject {
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: { cpu: string; memory: string } }>;
}

interface Scrape {
  at: number;
  /** Each answering node with its summary. */
  nodes: Array<{ node: KubeObject; summary: Summary }>;
}

/** A Go duration as metrics-server prints the window (`10.012s`). */
const window = (seconds: number | undefined): string => `${Math.round((seconds ?? 10) * 1000) / 1000}s`;

export class ResourceMetrics {
  private last?: Scrape;
  private pending?: Promise<Scrape>;

  constructor(private readonly src: MetricsSources, private readonly o: { cacheMs?: number; timeoutMs?: number } = {}) {}

  private scrape(): Promise<Scrape> {
    if (this.last && Date.now() - this.last.at < (this.o.cacheMs ?? 5000)) return Promise.resolve(this.last);
    this.pending ??= this.scrapeAll().then((s) => (this.last = s)).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async scrapeAll(): Promise<Scrape> {
    const nodes = await this.src.nodes();
    const answered = await Promise.all(nodes.map(async (node) => {
      if (!node.status?.daemonEndpoints?.kubeletEndpoint?.Port) return undefined; // no agent (a hollow node)
      try {
        return { node, summary: await this.src.summary(node, AbortSignal.timeout(this.o.timeoutMs ?? 5000)) };
      } catch (e) {
        log.debug('a node agent gave no resource metrics', { node: node.metadata.name, error: (e as Error).message });
        return undefined;
      }
    }));
    return { at: Date.now(), nodes: answered.filter((x): x is { node: KubeObject; summary: Summary } => x !== undefined) };
  }

  /** NodeMetrics of every node that reports usage. */
  async nodeMetrics(): Promise<NodeMetrics[]> {
    const s = await this.scrape();
    const out: NodeMetrics[] = [];
    for (const { node, summary } of s.nodes) {
      const cpu = summary.node.cpu?.usageNanoCores;
      const mem = summary.node.memory?.workingSetBytes;
      if (cpu === undefined || mem === undefined) continue; // one sample only so far
      out.push({
        kind: 'NodeMetrics', apiVersion: API_VERSION,
        metadata: { name: node.metadata.name, creationTimestamp: new Date().toISOString(), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
        timestamp: summary.node.cpu?.time ?? new Date().toISOString(), window: window(summary.windowSeconds),
        usage: { cpu: formatCpu(cpu), memory: formatMemory(mem) },
      });
    }
    return out.sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  }

  /**
   * PodMetrics of the pods that report usage (in a namespace, or all). Labels come from the pod objects, so that a
   * label selector selects as it does on pods.
   */
  async podMetrics(namespace: string | undefined, podLabels: (namespace: string, name: string) => Record<string, string> | undefined): Promise<PodMetrics[]> {
    const s = await this.scrape();
    const out: PodMetrics[] = [];
    for (const { summary } of s.nodes) {
      for (const p of summary.pods) {
        if (namespace !== undefined && p.podRef.namespace !== namespace) continue;
        const labels = podLabels(p.podRef.namespace, p.podRef.name);
        if (labels === undefined) continue; // the pod is gone since the sample
        out.push(podMetrics(p, summary.windowSeconds, labels));
      }
    }
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }
}

function podMetrics(p: PodSummary, windowSeconds: number | undefined, labels: Record<string, string>): PodMetrics {
  return {
    kind: 'PodMetrics', apiVersion: API_VERSION,
    metadata: {
      name: p.podRef.name, namespace: p.podRef.namespace, creationTimestamp: new Date().toISOString(), ...(Object.keys(labels).length ? { labels } : {}),
    },
    timestamp: p.cpu?.time ?? new Date().toISOString(), window: window(windowSeconds),
    containers: p.containers.map((c) => ({
      name: c.name, usage: { cpu: formatCpu(c.cpu?.usageNanoCores ?? 0), memory: formatMemory(c.memory?.workingSetBytes ?? 0) },
    })),
  };
}
