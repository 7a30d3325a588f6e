// `top node|pod`: CPU and memory from metrics.k8s.io, printed as kubectl prints them (CPU in millicores rounded up,
// memory in whole Mi, node percentages of allocatable; nodes without metrics as <unknown>), with its errors
// ("Metrics API not available", "metrics not available yet", a pod older than two minutes with no metrics).
import { parseQuantity } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';
import { findByKind } from '../../lib/api/kinds.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { tabwrite } from './tabwriter.js';

const METRICS = '/apis/metrics.k8s.io/v1beta1';
const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;
/** How long a pod may have no metrics before that is an error rather than "not yet" (kubectl's metricsCreationDelay). */
const CREATION_DELAY_MS = 2 * 60_000;

type Usage = { cpu?: string; memory?: string };
interface PodMetrics { metadata: { name: string; namespace: string }; containers: Array<{ name: string; usage: Usage }> }
interface NodeMetrics { metadata: { name: string }; usage: Usage }

const milli = (q: string | undefined): number => Math.ceil((parseQuantity(q ?? '0') ?? 0) * 1000 - 1e-6);
const bytes = (q: string | undefined): number => Math.floor(parseQuantity(q ?? '0') ?? 0);
const cpuText = (m: number) => `${m}m`;
const memText = (b: number) => `${Math.floor(b / 2 ** 20)}Mi`;

async function metricsAvailable(ctx: Ctx): Promise<void> {
  const groups = await ctx.getRaw<{ groups?: Array<{ name: string; versions: Array<{ version: string }> }> }>('/apis', 'application/json');
  const g = groups.groups?.find((x) => x.name === 'metrics.k8s.io');
  if (!g?.versions.some((v) => v.version === 'v1beta1')) throw new CliError('error: Metrics API not available');
}

function checkSort(p: Parsed): string {
  const by = str(p, 'sort-by') ?? '';
  if (by && by !== 'cpu' && by !== 'memory') throw new CliError('error: --sort-by accepts only cpu or memory');
  return by;
}

const sortRows = <T>(items: T[], by: string, usage: (t: T) => Usage, name: (t: T) => string): T[] =>
  items.sort((a, b) => (by === 'cpu' ? milli(usage(b).cpu) - milli(usage(a).cpu) : by === 'memory' ? bytes(usage(b).memory) - bytes(usage(a).memory) : 0) || name(a).localeCompare(name(b)));

async function topNode(ctx: Ctx, p: Parsed): Promise<void> {
  const name = p.args[1];
  const selector = str(p, 'selector');
  if (name && selector) throw new CliError('error: only one of NAME or --selector can be provided');
  const sortBy = checkSort(p);
  await metricsAvailable(ctx);
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
  const metrics = name ? [await ctx.getRaw<NodeMetrics>(`${METRICS}/nodes/${encodeURIComponent(name)}`, 'application/json')]
    : (await ctx.getRaw<{ items: NodeMetrics[] }>(`${METRICS}/nodes${q}`, 'application/json')).items;
  const nodes: KubeObject[] = name ? [await ctx.client.get(NODE, name)] : (await ctx.client.list(NODE, { labelSelector: selector })).items;
  if (!metrics.length) throw new CliError('error: metrics not available yet');
  const field = bool(p, 'show-capacity') ? 'capacity' : 'allocatable';
  const available = new Map(nodes.map((n) => [n.metadata.name as string, (n.status?.[field] ?? {}) as Usage]));
  const rows: string[][] = [];
  for (const m of sortRows(metrics, sortBy, (x) => x.usage, (x) => x.metadata.name)) {
    const a = available.get(m.metadata.name);
    if (!a) continue; // the node is gone (kubectl only prints nodes it listed)
    available.delete(m.metadata.name);
    const pct = (u: number, total: number) => `${total ? Math.trunc((u / total) * 100) : 0}%`;
    const cpu = milli(m.usage.cpu);
    const mem = bytes(m.usage.memory);
    rows.push([m.metadata.name, cpuText(cpu), pct(cpu, milli(a.cpu)), memText(mem), pct(mem * 1000, milli(a.memory))]);
  }
  for (const n of available.keys()) rows.push([n, '<unknown>', '<unknown>', '<unknown>', '<unknown>']);
  if (!bool(p, 'no-headers')) rows.unshift(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
  ctx.print(tabwrite(rows));
}

async function topPod(ctx: Ctx, p: Parsed): Promise<void> {
  const name = p.args[1];
  const selector = str(p, 'selector');
  const fieldSelector = str(p, 'field-selector');
  if (name && (selector || fieldSelector)) throw new CliError('error: only one of NAME or selector can be provided');
  const sortBy = checkSort(p);
  const all = ctx.allNamespaces;
  const ns = ctx.namespace;
  await metricsAvailable(ctx);
  const base = all && !name ? METRICS : `${METRICS}/namespaces/${encodeURIComponent(ns)}`;
  const q = new URLSearchParams();
  if (selector) q.set('labelSelector', selector);
  if (fieldSelector) q.set('fieldSelector', fieldSelector);
  const metrics = name ? [await ctx.getRaw<PodMetrics>(`${base}/pods/${encodeURIComponent(name)}`, 'application/json')]
    : (await ctx.getRaw<{ items: PodMetrics[] }>(`${base}/pods${q.size ? `?${q}` : ''}`, 'application/json')).items;
  if (!metrics.length) {
    // new pods have no metrics for a while; an older pod without them is worth saying so
    const pods = (await ctx.client.list(POD, { namespace: all ? undefined : ns, labelSelector: selector, fieldSelector })).items;
    if (pods.length) {
      for (const pod of pods) {
        const age = Date.now() - Date.parse(pod.metadata.creationTimestamp as string);
        if (age > CREATION_DELAY_MS) throw new CliError(`error: Metrics not available for pod ${pod.metadata.namespace}/${pod.metadata.name}, age: ${goDuration(age)}`);
      }
      throw new CliError('error: metrics not available yet');
    }
    ctx.warn(all ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
    return;
  }
  const containers = bool(p, 'containers');
  const podUsage = (m: PodMetrics): Usage => {
    const cpu = m.containers.reduce((s, c) => s + (parseQuantity(c.usage.cpu ?? '0') ?? 0), 0);
    const mem = m.containers.reduce((s, c) => s + (parseQuantity(c.usage.memory ?? '0') ?? 0), 0);
    return { cpu: String(cpu), memory: String(mem) };
  };
  const rows: string[][] = [];
  const nameOf = (m: PodMetrics) => (all ? `${m.metadata.namespace}/${m.metadata.name}` : m.metadata.name);
  for (const m of sortRows(metrics, sortBy, podUsage, nameOf)) {
    const lead = all ? [m.metadata.namespace] : [];
    if (containers) {
      for (const c of sortRows([...m.containers], sortBy, (x) => x.usage, (x) => x.name)) {
        rows.push([...lead, m.metadata.name, c.name, cpuText(milli(c.usage.cpu)), memText(bytes(c.usage.memory))]);
      }
    } else {
      const u = podUsage(m);
      rows.push([...lead, m.metadata.name, cpuText(milli(u.cpu)), memText(bytes(u.memory))]);
    }
  }
  if (!bool(p, 'no-headers')) rows.unshift([...(all ? ['NAMESPACE'] : []), ...(containers ? ['POD'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  ctx.print(tabwrite(rows));
}

/** A duration as Go prints time.Duration (`2m5.123s`). */
function goDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

export const command: Command = {
  short: 'Display resource (CPU/memory) usage',
  subcommands: ['node', 'pod'],
  flags: {
    selector: { short: 'l' }, 'field-selector': {}, 'sort-by': {}, 'no-headers': { bool: true }, containers: { bool: true },
    'show-capacity': { bool: true },
  },
  async run(ctx, p) {
    const sub = p.args[0];
    if (sub === 'node' || sub === 'nodes' || sub === 'no') return topNode(ctx, p);
    if (sub === 'pod' || sub === 'pods' || sub === 'po') return topPod(ctx, p);
    throw new CliError(`error: ${sub === undefined ? 'a subcommand is required: node or pod' : `unknown command "${sub}" for "flotctl top"`}`);
  },
};
