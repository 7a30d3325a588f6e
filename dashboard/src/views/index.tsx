// Which view a location shows.
import type { Location } from '../ui/route.js';
import { ConfigView } from './Config.js';
import { CreateView } from './Create.js';
import { EventsView } from './Events.js';
import { GenericListView, ResourcesView } from './Generic.js';
import { NodesView } from './Nodes.js';
import { ObjectView } from './object/ObjectPage.js';
import { OverviewView } from './Overview.js';
import { PodsView } from './Pods.js';
import { ServicesView } from './Services.js';
import { WorkloadsView } from './Workloads.js';

export function CurrentView(p: { location: Location }) {
  const r = p.location.route;
  switch (r.view) {
    case 'overview':
      return <OverviewView />;
    case 'workloads':
      return <WorkloadsView />;
    case 'pods':
      return <PodsView />;
    case 'services':
      return <ServicesView />;
    case 'config':
      return <ConfigView />;
    case 'nodes':
      return <NodesView />;
    case 'events':
      return <EventsView />;
    case 'resources':
      return <ResourcesView />;
    case 'list':
      return <GenericListView key={`${r.type.group}/${r.type.resource}`} type={r.type} />;
    case 'object':
      return <ObjectView key={`${r.type.group}/${r.type.resource}/${r.namespace}/${r.name}`} type={r.type} namespace={r.namespace} name={r.name} tab={r.tab} />;
    case 'create':
      return <CreateView tab={r.tab} />;
    default:
      return <section class="view"><h1>Not found</h1><p>Nothing lives at {r.path}. <a href="/dashboard/">Go to the overview</a>.</p></section>;
  }
}
