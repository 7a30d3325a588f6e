// The HTTP face of metrics.k8s.io/v1beta1: GET (one) and list of `nodes` and `pods` with label and field selectors,
// nothing else (metrics-server refuses watch and writes with 405), and the group's entries in discovery, so that
// kubectl top finds the API as it does when metrics-server is registered as an APIService.
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../lib/api/types.js';
import { matchesFields, parseFieldSelector, type FieldSelectorParsed } from '../../lib/api/selectors/fields.js';
import { matchesLabels, parseLabelSelector, type LabelSelectorParsed } from '../../lib/api/selectors/labels.js';
import { formatCpu, formatMemory, parseQuantity } from '../../lib/api/quantity.js';
import { errors } from '../errors.js';
import { negotiate } from '../http/negotiate.js';
import { sendJson } from '../http/respond.js';
import { METRICS_GROUP, METRICS_VERSION, type ResourceMetrics } from './resource-metrics.js';

const GV = `${METRICS_GROUP}/${METRICS_VERSION}`;
const RESOURCES = [
  { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
  { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
];

/** The group in /apis (APIGroupList). */
export const metricsApiGroup = (): object => ({
  kind: 'APIGroup', apiVersion: 'v1', name: METRICS_GROUP,
  versions: [{ groupVersion: GV, version: METRICS_VERSION }], preferredVersion: { groupVersion: GV, version: METRICS_VERSION },
});

/** /apis/metrics.k8s.io/v1beta1. */
export const metricsResourceList = (): object => ({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GV, resources: RESOURCES });

/** The group's item in the aggregated discovery of /apis (apidiscovery.k8s.io). */
export const metricsDiscoveryItem = (): object => ({
  metadata: { name: METRICS_GROUP },
  versions: [{
    version: METRICS_VERSION, freshness: 'Current',
    resources: RESOURCES.map((r) => ({
      resource: r.name, responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind }, scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.kind === 'NodeMetrics' ? 'nodemetrics' : 'podmetrics', verbs: r.verbs,
    })),
  }],
});

export interface MetricsRequest {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
}

function selectors(q: URLSearchParams): { labels?: LabelSelectorParsed; fields?: FieldSelectorParsed } {
  try {
    const l = q.get('labelSelector');
    const f = q.get('fieldSelector');
    return { labels: l ? parseLabelSelector(l) : undefined, fields: f ? parseFieldSelector(f) : undefined };
  } catch (e) {
    throw errors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
}

/** metrics-server names the kind in its 404s: `podmetrics.metrics.k8s.io "default/web" not found`. */
const notFound = (kind: string, name: string) => errors.notFound({ group: METRICS_GROUP, resource: kind.toLowerCase() }, name);

const COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'CPU', type: 'string', format: '', description: 'CPU consumption', priority: 0 },
  { name: 'Memory', type: 'string', format: '', description: 'Memory consumption', priority: 0 },
  { name: 'Window', type: 'string', format: '', description: 'Time window used to compute usage', priority: 0 },
];

/** CPU and memory of a NodeMetrics, or summed over a PodMetrics' containers, as quantities. */
function usageOf(o: KubeObject): [string, string] {
  const u = o.usage as { cpu: string; memory: string } | undefined;
  if (u) return [u.cpu, u.memory];
  const cs = (o.containers ?? []) as Array<{ usage: { cpu: string; memory: string } }>;
  const sum = (f: 'cpu' | 'memory') => cs.reduce((n, c) => n + (parseQuantity(c.usage[f]) ?? 0), 0);
  return [formatCpu(sum('cpu') * 1e9), formatMemory(sum('memory'))];
}

/** The meta.k8s.io Table kubectl get asks for (metrics-server's columns: Name, CPU, Memory, Window). */
function table(items: KubeObject[], tableVersion: string | undefined, includeObject: string | null): object {
  return {
    kind: 'Table', apiVersion: `meta.k8s.io/${tableVersion === 'v1beta1' ? 'v1beta1' : 'v1'}`, metadata: {}, columnDefinitions: COLUMNS,
    rows: items.map((o) => ({
      cells: [o.metadata.name, ...usageOf(o), o.window],
      object: includeObject === 'None' ? undefined : includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

/**
 * Answers one metrics.k8s.io request. `pods` gives the pod objects (for their labels); a pod's metrics are named
 * `namespace/name` in a 404 as metrics-server words it.
 */
export async function serveMetrics(
  r: MetricsRequest, metrics: ResourceMetrics, pods: (namespace: string | undefined) => Promise<KubeObject[]>, res: ServerResponse, accept?: string,
): Promise<void> {
  const out = negotiate(accept);
  const known = RESOURCES.find((x) => x.name === r.resource);
  if (!known || r.subresource) throw errors.resourceNotFound();
  if (r.verb !== 'get' && r.verb !== 'list') throw errors.methodNotAllowed();
  const sel = selectors(r.query);
  const pick = (o: KubeObject) => {
    const fieldValues: Record<string, string> = { 'metadata.name': o.metadata.name ?? '', ...(known.namespaced ? { 'metadata.namespace': o.metadata.namespace ?? '' } : {}) };
    return (!sel.labels || matchesLabels(sel.labels, o.metadata.labels)) && (!sel.fields || matchesFields(sel.fields, fieldValues));
  };
  let items: KubeObject[];
  if (known.name === 'nodes') {
    items = await metrics.nodeMetrics();
  } else {
    const podList = await pods(r.namespace);
    const labels = new Map(podList.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.labels ?? {}]));
    items = await metrics.podMetrics(r.namespace, (ns, name) => labels.get(`${ns}/${name}`));
  }
  if (r.name !== undefined) {
    const found = items.find((o) => o.metadata.name === r.name && (!known.namespaced || o.metadata.namespace === r.namespace));
    if (!found) throw notFound(known.kind, known.namespaced ? `${r.namespace}/${r.name}` : r.name);
    return sendJson(res, 200, out.table ? table([found], out.tableVersion, r.query.get('includeObject')) : found, out.format);
  }
  const selected = items.filter(pick);
  sendJson(res, 200, out.table ? table(selected, out.tableVersion, r.query.get('includeObject')) : { kind: `${known.kind}List`, apiVersion: GV, metadata: {}, items: selected }, out.format);
}

