// A Deployment's page: rollout progress (kubectl rollout status' words), revision history with roll back to any
// revision, and its pods.
import { useMemo } from 'preact/hooks';
import { R } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { useObjects } from '../../store/hooks.js';
import { DataTable } from '../../ui/Table.js';
import { rolloutStatus, revisions } from '../../util/deployments.js';
import { podColumns, podText, PodActions } from '../Pods.js';
import { UndoButton } from '../DeploymentActions.js';
import { RolloutProgress } from '../Workloads.js';
import { Conditions, Labels, MetaTable } from './Meta.js';

const matches = (sel: Record<string, string> | undefined, labels: Record<string, string> | undefined) => !!sel && Object.keys(sel).length > 0
  && Object.entries(sel).every(([k, v]) => labels?.[k] === v);

export function DeploymentSummary(p: { d: KubeObject }) {
  const d = p.d;
  const ns = d.metadata.namespace ?? '';
  const rss = useObjects(R.replicasets, ns);
  const pods = useObjects(R.pods, ns);
  const revs = useMemo(() => revisions(d, rss.items.values()), [d, rss.version, rss.items]);
  const mine = useMemo(() => [...pods.items.values()].filter((x) => matches(d.spec?.selector?.matchLabels, x.metadata.labels)), [pods.version, pods.items, d]);
  const r = rolloutStatus(d);
  const st = d.status ?? {};
  return (
    <>
      <MetaTable obj={d}>
        <dt>Replicas</dt>
        <dd>{d.spec?.replicas ?? 1} desired · {st.updatedReplicas ?? 0} updated · {st.readyReplicas ?? 0} ready · {st.availableReplicas ?? 0} available</dd>
        <dt>Strategy</dt><dd>{d.spec?.strategy?.type ?? 'RollingUpdate'}</dd>
        <dt>Selector</dt><dd><Labels labels={d.spec?.selector?.matchLabels} /></dd>
      </MetaTable>
      <h3>Rollout</h3>
      <div class="rollout-box">
        <RolloutProgress d={d} />
        <p class={r.failed ? 'error-note' : 'muted'} data-rollout-message>{r.message}</p>
      </div>
      <h3>Revisions</h3>
      <table class="data compact" data-revisions>
        <thead><tr><th>Revision</th><th>Images</th><th class="opt">Change cause</th><th>ReplicaSet</th><th /></tr></thead>
        <tbody>
          {revs.map((v) => (
            <tr key={v.revision} data-revision={v.revision} class={v.current ? 'current' : undefined}>
              <td class="num">{v.revision}{v.current ? ' (current)' : ''}</td>
              <td class="mono">{v.images.join(', ')}</td>
              <td class="opt">{v.changeCause ?? ''}</td>
              <td class="mono">{v.rs.metadata.name}</td>
              <td class="actions">{v.current ? null : <UndoButton d={d} replicaSets={rss.items} to={v.revision} label="Roll back" />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Pods <span class="count">{mine.length}</span></h3>
      <DataTable rows={mine} columns={podColumns(false)} rowKey={(x) => x.metadata.name} text={podText} noun="pods" actions={(x) => <PodActions pod={x} />} empty={pods.synced ? 'No pods.' : 'Loading…'} />
      <Conditions obj={d} />
    </>
  );
}
