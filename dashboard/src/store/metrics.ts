// Node usage from the metrics API (metrics.k8s.io: built into Flotilla's API server, served by metrics-server in
// Kubernetes). It has no watch, so it is read every 15 s while a view shows it. When the API isn't served (404) the
// hook says so once and the usage bars stay hidden.
import { useEffect, useState } from 'preact/hooks';
import { parseQuantity } from '../util/format.js';
import { ApiError } from '../api/client.js';
import { useApp } from './app.js';

export interface NodeUsage {
  cpu: number;
  memory: number;
}

const PATH = '/apis/metrics.k8s.io/v1beta1/nodes';
const EVERY_MS = 15_000;

/** Usage per node name, or undefined when the metrics API isn't served (or not yet read). */
export function useNodeMetrics(): Map<string, NodeUsage> | undefined {
  const { api } = useApp();
  const [usage, setUsage] = useState<Map<string, NodeUsage> | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const list = await api.get<{ items: Array<{ metadata: { name: string }; usage: Record<string, string> }> }>(PATH);
        if (!live) return;
        setUsage(new Map(list.items.map((m) => [m.metadata.name, { cpu: parseQuantity(m.usage.cpu), memory: parseQuantity(m.usage.memory) }])));
      } catch (e) {
        if (!live) return;
        setUsage(undefined);
        if (e instanceof ApiError && (e.code === 404 || e.code === 403)) return; // not served / not allowed: stop asking
      }
      timer = setTimeout(read, EVERY_MS);
    };
    void read();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api]);
  return usage;
}
