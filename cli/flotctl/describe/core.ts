// `describe` for the core kinds that hold configuration and addressing: Service, Endpoints, Namespace, ConfigMap,
// Secret. kubectl prints a map's keys in Go's random map order; we print them sorted.
import { ApiError } from '../../../lib/client/rest.js';
import type { KubeList, KubeObject } from '../../../lib/api/types.js';
import { type Describer, describeEvents, refOf, searchEvents } from './events.js';
import { Quantity } from './quantity.js';
import { type Obj, Writer, annotationsMultiline, byBytes, labelsMultiline, rfc1123z } from './writer.js';


const header = (w: Writer, o: KubeObject, namespaced = true) => {
  w.write(0, `Name:\t${o.metadata.name}\n`);
  if (namespaced) w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', o.metadata.labels);
  annotationsMultiline(w, 'Annotations', o.metadata.annotations);
};

export const describeService: Describer = async (env, kind, svc) => {
  const ns = encodeURIComponent(svc.metadata.namespace ?? '');
  let slices: Obj[] = [];
  try {
    // kubectl 1.32 reads a service's endpoints from its EndpointSlices; a server without them shows <none>.
    const q = new URLSearchParams({ labelSelector: `kubernetes.io/service-name=${svc.metadata.name}` });
    slices = (await env.client.request<KubeList>({ method: 'GET', path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?${q}` })).items ?? [];
  } catch {
    slices = [];
  }
  const events = env.showEvents ? await searchEvents(env, refOf(kind, svc)) : undefined;
  const spec = (svc.spec ?? {}) as Obj;
  const w = new Writer();
  header(w, svc);
  const sel = Object.keys(spec.selector ?? {}).sort(byBytes).map((k) => `${k}=${spec.selector[k]}`).join(',');
  w.write(0, `Selector:\t${sel || '<none>'}\n`);
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.loadBalancerIP) w.write(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const ingress = (svc.status?.loadBalancer?.ingress ?? []) as Obj[];
  if (ingress.length) w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => (i.ip ? i.ip + (i.ipMode ? ` (${i.ipMode})` : '') : i.hostname ?? '')).join(', ')}\n`);
  for (const p of (spec.ports ?? []) as Obj[]) {
    const name = p.name || '<unset>';
    w.write(0, `Port:\t${name}\t${p.port ?? 0}/${p.protocol ?? ''}\n`);
    w.write(0, `TargetPort:\t${p.targetPort ?? 0}/${p.protocol ?? ''}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol ?? ''}\n`);
    w.write(0, `Endpoints:\t${formatSlices(slices, p.name ?? '')}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (spec.loadBalancerSourceRanges?.length) w.write(0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(',')}\n`);
  if (events) describeEvents(events, w);
  return w.text();
};

/** Ready addresses of the slices' endpoints for one port name, at most three then `+ N more...`. */
function formatSlices(slices: Obj[], port: string): string {
  if (!slices.length) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (ep: Obj, text: () => string) => {
    if (list.length === 3) more = true;
    if (ep.conditions?.ready === false) return;
    if (!more) list.push(text());
    count++;
  };
  for (const s of slices) {
    const eps = (s.endpoints ?? []) as Obj[];
    if (!s.ports?.length) for (const ep of eps) add(ep, () => ep.addresses?.[0] ?? '');
    else
      for (const p of s.ports as Obj[]) {
        if ((p.name ?? '') !== port) continue;
        for (const ep of eps) {
          const a = String(ep.addresses?.[0] ?? '');
          add(ep, () => `${a.includes(':') ? `[${a}]` : a}:${p.port ?? 0}`);
        }
      }
  }
  return more ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

export const describeEndpoints: Describer = async (env, kind, ep) => {
  const events = env.showEvents ? await searchEvents(env, refOf(kind, ep)) : undefined;
  const w = new Writer();
  header(w, ep);
  w.write(0, 'Subsets:\n');
  for (const s of (ep.subsets ?? []) as Obj[]) {
    const ips = (l: Obj[] | undefined) => (l ?? []).map((a) => a.ip ?? '').join(',') || '<none>';
    w.write(1, `Addresses:\t${ips(s.addresses)}\n`);
    w.write(1, `NotReadyAddresses:\t${ips(s.notReadyAddresses)}\n`);
    if (s.ports?.length) {
      w.write(1, 'Ports:\n');
      w.write(2, 'Name\tPort\tProtocol\n');
      w.write(2, '----\t----\t--------\n');
      for (const p of s.ports as Obj[]) w.write(2, `${p.name || '<unset>'}\t${p.port ?? 0}\t${p.protocol ?? ''}\n`);
    }
    w.write(0, '\n');
  }
  if (events) describeEvents(events, w);
  return w.text();
};

/** A namespace's quotas or limit ranges; undefined when the server does not serve them (kubectl then omits them). */
async function listOrAbsent(env: Parameters<Describer>[0], ns: string, resource: string): Promise<Obj[] | undefined> {
  try {
    return (await env.client.request<KubeList>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/${resource}?limit=500` })).items ?? [];
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}

export const describeNamespace: Describer = async (env, _kind, ns) => {
  const quotas = await listOrAbsent(env, ns.metadata.name ?? '', 'resourcequotas');
  const limits = await listOrAbsent(env, ns.metadata.name ?? '', 'limitranges');
  const w = new Writer();
  header(w, ns, false);
  w.write(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  const conds = (ns.status?.conditions ?? []) as Obj[];
  if (conds.length) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t------------------\t------\t-------\n');
    for (const c of conds) w.write(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ''}\t${c.message ?? ''}\n`);
  }
  if (quotas) {
    w.write(0, '\n');
    if (!quotas.length) w.write(0, 'No resource quota.\n');
    else describeQuotas(w, quotas);
  }
  if (limits) {
    w.write(0, '\n');
    // Limit ranges are not served by Flotilla; only their absence is described.
    w.write(0, limits.length ? 'Resource Limits\n' : 'No LimitRange resource.\n');
  }
  return w.text();
};

function describeQuotas(w: Writer, quotas: Obj[]): void {
  w.write(0, 'Resource Quotas\n');
  for (const q of [...quotas].sort((a, b) => byBytes(a.metadata?.name ?? '', b.metadata?.name ?? ''))) {
    w.write(1, `Name:\t${q.metadata?.name}\n`);
    w.write(1, 'Resource\tUsed\tHard\n');
    w.write(1, '--------\t---\t---\n');
    const hard = (q.status?.hard ?? {}) as Obj;
    for (const r of Object.keys(hard).sort(byBytes)) w.write(1, `${r}\t${Quantity.parse(q.status?.used?.[r]).toString()}\t${Quantity.parse(hard[r]).toString()}\n`);
  }
}

export const describeConfigMap: Describer = async (env, kind, cm) => {
  const w = new Writer();
  header(w, cm);
  w.write(0, '\nData\n====\n');
  const data = (cm.data ?? {}) as Record<string, string>;
  for (const k of Object.keys(data).sort(byBytes)) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${data[k]}\n`);
    w.write(0, '\n');
  }
  w.write(0, '\nBinaryData\n====\n');
  const bin = (cm.binaryData ?? {}) as Record<string, string>;
  for (const k of Object.keys(bin).sort(byBytes)) w.write(0, `${k}: ${Buffer.from(bin[k] as string, 'base64').length} bytes\n`);
  w.write(0, '\n');
  if (env.showEvents) describeEvents(await searchEvents(env, refOf(kind, cm)), w);
  return w.text();
};

export const describeSecret: Describer = async (_env, _kind, s) => {
  const w = new Writer();
  header(w, s);
  w.write(0, `\nType:\t${s.type ?? ''}\n`);
  w.write(0, '\nData\n====\n');
  const data = (s.data ?? {}) as Record<string, string>;
  for (const k of Object.keys(data).sort(byBytes)) {
    const v = Buffer.from(data[k] as string, 'base64');
    if (k === 'token' && s.type === 'kubernetes.io/service-account-token') w.write(0, `${k}:\t${v.toString('utf8')}\n`);
    else w.write(0, `${k}:\t${v.length} bytes\n`);
  }
  return w.text();
};
