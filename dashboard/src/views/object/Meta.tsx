// What every object page shows: labels, annotations, owners and status conditions.
import type { KubeObject } from '../../api/types.js';
import { age } from '../../util/format.js';
import { Pill } from '../../ui/widgets.js';

export function Labels(p: { labels?: Record<string, string> }) {
  const e = Object.entries(p.labels ?? {});
  if (!e.length) return <span class="muted">none</span>;
  return <span class="labels">{e.map(([k, v]) => <span key={k} class="label">{k}={v}</span>)}</span>;
}

export function MetaTable(p: { obj: KubeObject; children?: preact.ComponentChildren }) {
  const m = p.obj.metadata;
  const owners = m.ownerReferences ?? [];
  return (
    <dl class="props">
      {m.namespace ? <><dt>Namespace</dt><dd>{m.namespace}</dd></> : null}
      <dt>Created</dt><dd title={m.creationTimestamp}>{age(m.creationTimestamp)} ago</dd>
      <dt>Labels</dt><dd><Labels labels={m.labels} /></dd>
      {owners.length ? <><dt>Owned by</dt><dd>{owners.map((o) => `${o.kind}/${o.name}`).join(', ')}</dd></> : null}
      {m.deletionTimestamp ? <><dt>Deleting</dt><dd>since {age(m.deletionTimestamp)}</dd></> : null}
      {p.children}
    </dl>
  );
}

export function Conditions(p: { obj: KubeObject }) {
  const cs = (p.obj.status?.conditions as Array<{ type: string; status: string; reason?: string; message?: string;
    lastTransitionTime?: string }> | undefined) ?? [];
  if (!cs.length) return null;
  return (
    <>
      <h3>Conditions</h3>
      <table class="data compact">
        <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th class="opt">Message</th><th class="opt">Since</th></tr></thead>
        <tbody>
          {cs.map((c) => (
            <tr key={c.type}><td>{c.type}</td><td><Pill text={c.status} /></td><td>{c.reason ?? ''}</td><td class="opt message">{c.message ?? ''}</td><td class="opt">{age(c.lastTransitionTime)}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
