// A pod's page: where it runs, its containers and their states.
import type { KubeObject } from '../../api/types.js';
import { Pill } from '../../ui/widgets.js';
import { podStatus } from '../../util/pods.js';
import { Conditions, MetaTable } from './Meta.js';

interface CStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: Record<string, { reason?: string; exitCode?: number; startedAt?: string }>;
}

export function PodSummary(p: { pod: KubeObject }) {
  const pod = p.pod;
  const statuses = new Map(((pod.status?.containerStatuses as CStatus[] | undefined) ?? []).map((c) => [c.name, c]));
  const containers = (pod.spec?.containers as Array<{ name: string; image: string; ports?: Array<{ containerPort: number }> }> | undefined) ?? [];
  return (
    <>
      <MetaTable obj={pod}>
        <dt>Status</dt><dd><Pill text={podStatus(pod)} /></dd>
        <dt>Node</dt><dd>{pod.spec?.nodeName ?? <span class="muted">not scheduled</span>}</dd>
        <dt>Pod IP</dt><dd class="mono">{pod.status?.podIP ?? ''}</dd>
      </MetaTable>
      <h3>Containers</h3>
      <table class="data compact">
        <thead><tr><th>Name</th><th>Image</th><th>State</th><th>Ready</th><th>Restarts</th><th class="opt">Ports</th></tr></thead>
        <tbody>
          {containers.map((c) => {
            const s = statuses.get(c.name);
            const [state, detail] = Object.entries(s?.state ?? {})[0] ?? ['waiting', {}];
            return (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td class="mono">{c.image}</td>
                <td><Pill text={detail?.reason ?? (state === 'running' ? 'Running' : state)} /></td>
                <td>{s?.ready ? 'yes' : 'no'}</td>
                <td class="num">{s?.restartCount ?? 0}</td>
                <td class="opt mono">{(c.ports ?? []).map((x) => x.containerPort).join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Conditions obj={pod} />
    </>
  );
}
