// The summary tab of the other kinds: Services (with endpoints), ConfigMaps (values hidden until revealed), Nodes,
// and anything else (metadata and conditions).
import { useState } from 'preact/hooks';
import { R } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { useObject, useObjects } from '../../store/hooks.js';
import { Pill } from '../../ui/widgets.js';
import { formatBytes, formatCpu } from '../../util/format.js';
import { allocatable, capacity, internalIP, nodeRoles, nodeStatus } from '../../util/nodes.js';
import { endpointAddresses, portsText } from '../Services.js';
import { NodeBars, loadByNode } from '../Nodes.js';
import { useNodeMetrics } from '../../store/metrics.js';
import { Conditions, Labels, MetaTable } from './Meta.js';

export function ServiceSummary(p: { svc: KubeObject }) {
  const { obj: ep } = useObject(R.endpoints, p.svc.metadata.namespace, p.svc.metadata.name);
  const addrs = endpointAddresses(ep);
  return (
    <MetaTable obj={p.svc}>
      <dt>Type</dt><dd>{p.svc.spec?.type ?? 'ClusterIP'}</dd>
      <dt>Cluster IP</dt><dd class="mono">{p.svc.spec?.clusterIP ?? ''}</dd>
      <dt>Ports</dt><dd class="mono">{portsText(p.svc)}</dd>
      <dt>Selector</dt><dd><Labels labels={p.svc.spec?.selector} /></dd>
      <dt>Endpoints</dt><dd class="mono" data-endpoints={addrs.length}>{addrs.length ? addrs.join(', ') : <span class="muted">none ready</span>}</dd>
    </MetaTable>
  );
}

/** Key/value data whose values show only after "Reveal" (ConfigMaps here; Secrets decode base64 first). */
export function HiddenValues(p: { data: Record<string, string>; decode?: boolean; initiallyShown?: boolean }) {
  const [shown, setShown] = useState(!!p.initiallyShown);
  const entries = Object.entries(p.data);
  if (!entries.length) return <p class="muted">No data.</p>;
  const value = (v: string) => {
    if (!p.decode) return v;
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(v), (c) => c.charCodeAt(0)));
    } catch {
      return `(not base64) ${v}`;
    }
  };
  return (
    <>
      <button type="button" class="small" data-action="reveal" onClick={() => setShown(!shown)}>{shown ? 'Hide values' : 'Reveal values'}</button>
      <dl class="props data-values">
        {entries.map(([k, v]) => [<dt key={`k${k}`}>{k}</dt>, <dd key={`v${k}`}>{shown ? <pre data-value={k}>{value(v)}</pre> : <span class="masked" data-masked={k}>••••••••</span>}</dd>])}
      </dl>
    </>
  );
}

export function ConfigMapSummary(p: { cm: KubeObject }) {
  return (
    <>
      <MetaTable obj={p.cm} />
      <h3>Data</h3>
      <HiddenValues data={(p.cm.data as Record<string, string> | undefined) ?? {}} />
    </>
  );
}

export function NodeSummary(p: { node: KubeObject }) {
  const n = p.node;
  const pods = useObjects(R.pods, '');
  const usage = useNodeMetrics();
  const load = pods.error ? undefined : loadByNode(pods.items.values()).get(n.metadata.name) ?? { pods: 0, cpu: 0, memory: 0 };
  const a = allocatable(n);
  const c = capacity(n);
  const info = (n.status?.nodeInfo ?? {}) as Record<string, string>;
  const taints = (n.spec?.taints as Array<{ key: string; value?: string; effect: string }> | undefined) ?? [];
  return (
    <>
      <MetaTable obj={n}>
        <dt>Status</dt><dd><Pill text={nodeStatus(n)} /></dd>
        <dt>Roles</dt><dd>{nodeRoles(n)}</dd>
        <dt>Internal IP</dt><dd class="mono">{internalIP(n)}</dd>
        <dt>Capacity</dt><dd>{formatCpu(c.cpu)} CPU · {formatBytes(c.memory)} · {c.pods} pods</dd>
        <dt>Allocatable</dt><dd>{formatCpu(a.cpu)} CPU · {formatBytes(a.memory)} · {a.pods} pods</dd>
        <dt>Taints</dt><dd>{taints.length ? taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') : <span class="muted">none</span>}</dd>
        <dt>Runtime</dt><dd>{info.containerRuntimeVersion ?? ''} {info.kubeletVersion ?? ''} {info.osImage ?? ''}</dd>
      </MetaTable>
      <NodeBars node={n} load={load} usage={usage?.get(n.metadata.name)} />
      <Conditions obj={n} />
    </>
  );
}

export function GenericSummary(p: { obj: KubeObject }) {
  return (
    <>
      <MetaTable obj={p.obj} />
      <Conditions obj={p.obj} />
    </>
  );
}
