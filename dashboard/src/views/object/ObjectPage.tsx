// One object's page, live: a summary for the kinds we know (pods, Deployments, Services, ConfigMaps, Secrets,
// nodes; metadata and conditions for any other), its YAML (edit and save), its events, and for pods the log and a
// terminal. The actions shown are those the API allows.
import { useMemo } from 'preact/hooks';
import { R, type ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { useApp } from '../../store/app.js';
import { useObject, useObjects } from '../../store/hooks.js';
import { type TypeRef, hrefOf } from '../../ui/route.js';
import { DataTable } from '../../ui/Table.js';
import { Can, ErrorNote, Pill } from '../../ui/widgets.js';
import { DeleteButton, ScaleButton, objectRoute } from '../common.js';
import { RestartButton, UndoButton } from '../DeploymentActions.js';
import { eventColumns } from '../Events.js';
import { useType } from '../Generic.js';
import { NodeActions } from '../Nodes.js';
import { podStatus } from '../../util/pods.js';
import { DeploymentSummary } from './DeploymentSummary.js';
import { LogsTab } from './Logs.js';
import { PodSummary } from './PodSummary.js';
import { SecretSummary } from './SecretPage.js';
import { ConfigMapSummary, GenericSummary, NodeSummary, ServiceSummary } from './Summaries.js';
import { TerminalTab } from './TerminalTab.js';
import { YamlTab } from './YamlTab.js';

const is = (t: ResourceType, r: ResourceType) => t.group === r.group && t.resource === r.resource;

function Summary(p: { type: ResourceType; obj: KubeObject }) {
  if (is(p.type, R.pods)) return <PodSummary pod={p.obj} />;
  if (is(p.type, R.deployments)) return <DeploymentSummary d={p.obj} />;
  if (is(p.type, R.services)) return <ServiceSummary svc={p.obj} />;
  if (is(p.type, R.configmaps)) return <ConfigMapSummary cm={p.obj} />;
  if (is(p.type, R.nodes)) return <NodeSummary node={p.obj} />;
  return <GenericSummary obj={p.obj} />;
}

function ObjectEvents(p: { obj: KubeObject; type: ResourceType }) {
  const events = useObjects(R.events, p.type.namespaced ? (p.obj.metadata.namespace ?? '') : '');
  const mine = useMemo(() => [...events.items.values()].filter((e) => {
    const o = e.involvedObject as { uid?: string; name?: string; kind?: string } | undefined;
    return o && (o.uid ? o.uid === p.obj.metadata.uid : o.name === p.obj.metadata.name && o.kind === p.type.kind);
  }), [events.version, events.items, p.obj.metadata.uid]);
  return <DataTable rows={mine} columns={eventColumns(false)} rowKey={(e) => e.metadata.name} text={(e) => `${e.reason ?? ''} ${e.message ?? ''}`} noun="events" empty={events.synced ? 'No events.' : 'Loading…'} />;
}

function Actions(p: { type: ResourceType; obj: KubeObject; onDeleted: () => void }) {
  const rss = useObjects(is(p.type, R.deployments) ? R.replicasets : undefined, p.obj.metadata.namespace ?? '');
  const pods = useObjects(is(p.type, R.nodes) ? R.pods : undefined, '');
  return (
    <div class="actions">
      {is(p.type, R.deployments) || is(p.type, R.replicasets) ? <ScaleButton type={p.type} obj={p.obj} /> : null}
      {is(p.type, R.deployments) ? <><RestartButton d={p.obj} /><UndoButton d={p.obj} replicaSets={rss.items} /></> : null}
      {is(p.type, R.nodes) ? <NodeActions node={p.obj} pods={pods.items} /> : null}
      {p.type.verbs.includes('delete') ? <DeleteButton type={p.type} obj={p.obj} after={p.onDeleted} /> : null}
    </div>
  );
}

export function ObjectView(p: { type: TypeRef; namespace?: string; name: string; tab?: string }) {
  const { type, loading } = useType(p.type);
  if (!type) return <section class="view"><p class="empty">{loading ? 'Loading…' : `The server serves no ${p.type.resource} in ${p.type.group || 'core'}/${p.type.version}.`}</p></section>;
  // a Secret's values are fetched only on request: no live copy of the whole object
  if (is(type, R.secrets)) return <SecretView type={type} namespace={p.namespace} name={p.name} />;
  return <LiveObjectView type={type} namespace={p.namespace} name={p.name} tab={p.tab} />;
}

function SecretView(p: { type: ResourceType; namespace?: string; name: string }) {
  const { router } = useApp();
  return (
    <section class="view object">
      <div class="view-header">
        <h1><span class="kind">Secret</span> {p.name}</h1>
        <div class="spacer" />
        <DeleteButton type={p.type} obj={{ metadata: { name: p.name, namespace: p.namespace } }} after={() => router.navigate(hrefOf({ view: 'config' }, router.location.ns))} />
      </div>
      <SecretSummary namespace={p.namespace} name={p.name} />
    </section>
  );
}

function LiveObjectView(p: { type: ResourceType; namespace?: string; name: string; tab?: string }) {
  const { router } = useApp();
  const { obj, synced, error } = useObject(p.type, p.namespace, p.name);
  const isPod = is(p.type, R.pods);
  const tabs: Array<[string, string]> = [['summary', 'Summary'], ['yaml', 'YAML'], ['events', 'Events'], ...(isPod ? ([['logs', 'Logs'], ['terminal', 'Terminal']] as Array<[string, string]>) : [])];
  const tab = tabs.some(([t]) => t === p.tab) ? (p.tab as string) : 'summary';
  const back = () => router.navigate(hrefOf(isPod ? { view: 'pods' } : { view: 'list', type: p.type }, router.location.ns));
  return (
    <section class="view object">
      <div class="view-header">
        <h1><span class="kind">{p.type.kind}</span> {p.name}</h1>
        {obj && isPod ? <Pill text={podStatus(obj)} /> : null}
        {obj?.metadata.deletionTimestamp ? <Pill text="Terminating" /> : null}
        <div class="spacer" />
        {obj ? <Actions type={p.type} obj={obj} onDeleted={back} /> : null}
      </div>
      <nav class="tabs">
        {tabs.map(([t, label]) => {
          const link = <a key={t} href={hrefOf(objectRoute(p.type, { metadata: { name: p.name, namespace: p.namespace } }, t === 'summary' ? undefined : t), router.location.ns)} class={tab === t ? 'active' : undefined} data-tab={t}>{label}</a>;
          if (t === 'logs') return <Can key={t} verb="get" resource="pods" subresource="log" namespace={p.namespace}>{link}</Can>;
          if (t === 'terminal') return <Can key={t} verb="create" resource="pods" subresource="exec" namespace={p.namespace}>{link}</Can>;
          return link;
        })}
      </nav>
      <ErrorNote error={error} />
      {!obj ? <p class="empty">{synced ? `${p.type.kind} ${p.name} doesn't exist (any more).` : 'Loading…'}</p> : (
        <div class="tab-body" data-tab-body={tab}>
          {tab === 'summary' ? <Summary type={p.type} obj={obj} /> : null}
          {tab === 'yaml' ? <YamlTab type={p.type} obj={obj} /> : null}
          {tab === 'events' ? <ObjectEvents obj={obj} type={p.type} /> : null}
          {tab === 'logs' && isPod ? <LogsTab key={`${p.namespace}/${p.name}`} pod={obj} /> : null}
          {tab === 'terminal' && isPod ? <TerminalTab key={`${p.namespace}/${p.name}`} pod={obj} /> : null}
        </div>
      )}
    </section>
  );
}
