// The resource metrics the HPA reads: PodMetrics from metrics.k8s.io/v1beta1 (served by our API server, as
// metrics-server serves it in Kubernetes), summed per pod over its containers (or one container's).
import { parseQuantity } from '../../lib/api/quantity.js';
import type { Client } from '../../lib/client/index.js';
import type { PodSample } from './replicas.js';

interface PodMetricsItem {
  metadata: { name?: string };
  timestamp?: string;
  window?: string;
  containers?: Array<{ name: string; usage?: Record<string, string> }>;
}

/** Where the samples come from; the unit tests give a fake. */
export interface MetricsSource {
  /** Samples of the pods matching the selector, by pod name; throws when the API returns none. */
  podSamples(namespace: string, selector: string, resource: string, container?: string): Promise<Map<string, PodSample>>;
}

/** A Go duration as metrics-server prints it (`10.012s`, `1m0s`) in ms. */
function durationMs(d: string | undefined): number {
  if (!d) return 0;
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/([\d.]+)(h|m|s|ms)/g)) ms += Number(n) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[unit as 'h'] ?? 0);
  return ms;
}

export class ResourceMetricsClient implements MetricsSource {
  constructor(private readonly client: Client) {}

  async podSamples(namespace: string, selector: string, resource: string, container?: string): Promise<Map<string, PodSample>> {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
    const list = await this.client.request<{ items?: PodMetricsItem[] }>({ method: 'GET', path });
    const items = list.items ?? [];
    if (!items.length) throw new Error('no metrics returned from resource metrics API');
    const out = new Map<string, PodSample>();
    for (const m of items) {
      let total = 0;
      let complete = true;
      for (const c of m.containers ?? []) {
        if (container !== undefined && c.name !== container) continue;
        const v = parseQuantity(c.usage?.[resource]);
        if (v === undefined) {
          complete = false; // a container without the resource: the pod's sample is not whole
          break;
        }
        total += Math.round(v * 1000);
      }
      if (!complete || !m.metadata.name) continue;
      out.set(m.metadata.name, { milli: total, timestamp: m.timestamp ? Date.parse(m.timestamp) : Date.now(), windowMs: durationMs(m.window) });
    }
    return out;
  }
}
