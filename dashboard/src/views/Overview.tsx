// The cluster at a glance: nodes with what their pods request (and use, with the metrics API), pods by phase,
// Deployments still rolling out, and the latest warnings. Everything is live.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { useObjects, useTick } from '../store/hooks.js';
import { useNodeMetrics } from '../store/metrics.js';
import { useNamespace } from '../store/namespace.js';
import { Bar, ErrorNote, Link, Pill, ViewHeader } from '../ui/widgets.js';
import { age } from '../util/format.js';
import { rolloutStatus } from '../util/deployments.js';
import { allocatable, nodeStatus } from '../util/nodes.js';
import { PHASES } from '../util/pods.js';
import { ObjectLink } from './common.js';
import { involved, lastSeen } from './Events.js';
import { NodeBars, loadByNode } from './Nodes.js';
import { RolloutProgress } from './Workloads.js';

function phases(pods: Iterable<KubeObject>): Record<string, number> {
  const n: Record<string, number> = Object.fromEntries(PHASES.map((p) => [p, 0]));
  for (const p of pods) {
    const ph = (p.status?.phase as string | undefined) ?? 'Pending';
    n[ph] = (n[ph] ?? 0) + 1;
  }
  return n;
}

/** Marks the first render with every list in (`flotilla:overview-painted` after the next frame) for bench/dashboard. */
function usePaintMark(ready: boolean) {
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current) return;
    done.current = true;
    performance.mark('flotilla:overview-rendered');
    requestAnimationFrame(() => setTimeout(() => performance.mark('flotilla:overview-painted'), 0));
  }, [ready]);
}

export function OverviewView() {
  const ns = useNamespace();
  const nodes = useObjects(R.nodes, '');
  // every pod for the node bars, filtered here for the namespace picked; only a user who may not list pods
  // across namespaces gets a namespace's own watch instead
  const allPods = useObjects(R.pods, '');
  const nsPods = useObjects(ns && allPods.error ? R.pods : undefined, ns);
  const pods = ns && allPods.error ? nsPods : allPods;
  const deployments = useObjects(R.deployments, ns);
  // warnings only: the Normal events of a busy cluster (one per pod scheduled, pulled, started...) are most of them
  const events = useObjects(R.events, ns, { fieldSelector: 'type=Warning' });
  const usage = useNodeMetrics();
  useTick(10_000);

  const nodeList = useMemo(() => [...nodes.items.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)), [nodes.version, nodes.items]);
  const load = useMemo(() => (allPods.error ? undefined : loadByNode(allPods.items.values())), [allPods.version, allPods.items, allPods.error]);
  const inView = useMemo(() => (ns && pods === allPods ? [...allPods.items.values()].filter((p) => p.metadata.namespace === ns) : [...pods.items.values()]),
    [pods, allPods, ns, pods.version]);
  const byPhase = useMemo(() => phases(inView), [inView]);
  const rolling = useMemo(() => [...deployments.items.values()].filter((d) => !rolloutStatus(d).done), [deployments.version, deployments.items]);
  const warnings = useMemo(() => [...events.items.values()].filter((e) => e.type === 'Warning').sort((a, b) => Date.parse(lastSeen(b)) - Date.parse(lastSeen(a))).slice(0, 8), [events.version, events.items]);
  const total = inView.length;
  usePaintMark(nodes.synced && pods.synced);

  return (
    <section class="view overview">
      <ViewHeader title="Overview" live={nodes.synced && pods.synced && !pods.error} updates={pods.updates} />
      <div class="cards">
        <div class="card" data-card="pods">
          <h2><Link to={{ view: 'pods' }}>Pods</Link> <span class="count" data-pod-count={pods.synced ? total : undefined}>{pods.synced ? total : '…'}</span></h2>
          <ErrorNote error={pods.error} />
          <div class="phase-bar" aria-hidden="true">
            {PHASES.map((ph) => (byPhase[ph] ? <span key={ph} class={`ph-${ph}`} style={{ flexGrow: byPhase[ph] }} /> : null))}
          </div>
          <ul class="phases">
            {PHASES.map((ph) => <li key={ph} data-phase={ph}><span class={`dot ph-${ph}`} />{ph} <strong>{byPhase[ph] ?? 0}</strong></li>)}
          </ul>
        </div>
        <div class="card" data-card="workloads">
          <h2><Link to={{ view: 'workloads' }}>Deployments</Link> <span class="count">{deployments.items.size}</span></h2>
          <ErrorNote error={deployments.error} />
          {rolling.length ? (
            <ul class="rolling">
              {rolling.map((d) => <li key={`${d.metadata.namespace}/${d.metadata.name}`}><ObjectLink type={R.deployments} obj={d} /> <RolloutProgress d={d} /></li>)}
            </ul>
          ) : <p class="muted">{deployments.synced ? 'Every Deployment is rolled out.' : 'Loading…'}</p>}
        </div>
        <div class="card wide" data-card="warnings">
          <h2><Link to={{ view: 'events' }}>Recent warnings</Link></h2>
          <ErrorNote error={events.error} />
          {warnings.length ? (
            <ul class="warnings">
              {warnings.map((e) => <li key={`${e.metadata.namespace}/${e.metadata.name}`}><span class="muted">{age(lastSeen(e))}</span> <strong>{e.reason as string}</strong> <span class="mono">{involved(e)}</span> {e.message as string}</li>)}
            </ul>
          ) : <p class="muted">{events.synced ? 'No warnings.' : 'Loading…'}</p>}
        </div>
      </div>
      <h2><Link to={{ view: 'nodes' }}>Nodes</Link> <span class="count">{nodeList.length}</span>{usage ? null : <span class="muted small-note" data-no-metrics> usage bars need the metrics API (metrics.k8s.io), not served here</span>}</h2>
      <ErrorNote error={nodes.error} />
      <div class="cards nodes">
        {nodeList.map((n) => {
          const a = allocatable(n);
          const l = load?.get(n.metadata.name);
          return (
            <div class="card node" key={n.metadata.name} data-node={n.metadata.name}>
              <h3><ObjectLink type={R.nodes} obj={n} /> <Pill text={nodeStatus(n)} /></h3>
              <p class="muted">{load ? `${l?.pods ?? 0} pod${l?.pods === 1 ? '' : 's'}` : ''}{load && Number.isFinite(a.pods) ? ' · ' : ''}{Number.isFinite(a.pods) ? `room for ${a.pods}` : ''}</p>
              <NodeBars node={n} load={load ? (l ?? { pods: 0, cpu: 0, memory: 0 }) : undefined} usage={usage?.get(n.metadata.name)} />
              {load && Number.isFinite(a.pods) ? <Bar kind="requests" value={l?.pods ?? 0} max={a.pods} label={`Pods ${l?.pods ?? 0} / ${a.pods}`} /> : null}
            </div>
          );
        })}
        {nodes.synced && !nodeList.length ? <p class="empty">No nodes have registered.</p> : null}
      </div>
    </section>
  );
}
