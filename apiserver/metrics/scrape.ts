// Where ResourceMetrics gets its inputs in the API server: the nodes from the watch cache, and each node agent's
// GET /stats/summary at the address and port the node publishes (status.addresses InternalIP, daemonEndpoints), as
// metrics-server scrapes kubelets: over TLS, with the API server's kubelet-client certificate (http/agent-dial.ts).
import { agentRequest } from '../http/agent-dial.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { Summary } from '../../lib/api/summary.js';
import type { MetricsSources } from './resource-metrics.js';

/** Largest summary accepted from an agent (a node with hundreds of pods is well under it). */
const MAX_BYTES = 16 << 20;

export function agentSummary(node: KubeObject, signal: AbortSignal): Promise<Summary> {
  const host = (node.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port as number | undefined;
  if (!host || !port) return Promise.reject(new Error('the node publishes no agent endpoint'));
  return new Promise((resolve, reject) => {
    const req = agentRequest({ host, port, path: '/stats/summary', method: 'GET', signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) req.destroy(new Error(`the summary is larger than ${MAX_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`the agent answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString()) as Summary);
        } catch (e) {
          reject(e as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The sources in an API server: `nodes` lists them (from the cache). */
export const agentSources = (nodes: () => Promise<KubeObject[]>): MetricsSources => ({ nodes, summary: agentSummary });
