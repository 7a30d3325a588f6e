// The Website controller: for every Website, its ConfigMap, Deployment and Service (each controlled by the
// Website, so deleting the Website deletes them: the garbage collector's job, no finalizer needed), and a status
// saying how many pods serve the site and whether the last spec has rolled out. Level-based: each reconcile reads
// the Website and its children from the shared caches and states the whole desire again; the children have fixed
// names, so a controller killed halfway and restarted finds what it made and creates no second copy.
import {
  CONFIGMAPS, DEPLOYMENTS, SERVICES, createOrUpdate, setCondition, updateStatus,
  type Deployment, type Manager, type ReconcileResult,
} from '../../lib/client/index.js';
import { WEBSITES, desiredConfigMap, desiredDeployment, desiredService, urlOf, type Website } from './website.js';

/** Whether the Deployment has rolled out its current template to every replica, and they are all ready. */
function rolledOut(d: Deployment | undefined, want: number): { done: boolean; reason: string; message: string } {
  const s = d?.status ?? {};
  if (!d || (s.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) return { done: false, reason: 'Progressing', message: 'the Deployment has not seen the latest spec yet' };
  if ((s.updatedReplicas ?? 0) < want) return { done: false, reason: 'RollingOut', message: `${s.updatedReplicas ?? 0} of ${want} pods run the latest spec` };
  if ((s.replicas ?? 0) > want) return { done: false, reason: 'RollingOut', message: `${(s.replicas ?? 0) - want} old pods are still being replaced` };
  if ((s.readyReplicas ?? 0) < want) return { done: false, reason: 'PodsNotReady', message: `${s.readyReplicas ?? 0} of ${want} pods are ready` };
  return { done: true, reason: 'Available', message: `${want} pods serve the site` };
}

export function addWebsiteController(mgr: Manager): void {
  const deployments = mgr.informerFor(DEPLOYMENTS);
  const configMaps = mgr.informerFor(CONFIGMAPS);
  const services = mgr.informerFor(SERVICES);
  mgr.controller('website-controller').for(WEBSITES).owns(CONFIGMAPS).owns(DEPLOYMENTS).owns(SERVICES).workers(2)
    .complete(async (req, { client, cache, recorder }): Promise<ReconcileResult | void> => {
      const site = cache.get(req.name, req.namespace) as Website | undefined;
      // gone, or on its way out: its children carry its controller reference and go with it
      if (!site || site.metadata.deletionTimestamp) return;
      const owned = { owner: site, ownerKind: WEBSITES };
      const ns = site.metadata.namespace;
      // the page first: pods created before their ConfigMap would wait for it
      const children = [
        { kind: CONFIGMAPS, desired: desiredConfigMap(site), cached: configMaps },
        { kind: DEPLOYMENTS, desired: desiredDeployment(site), cached: deployments },
        { kind: SERVICES, desired: desiredService(site), cached: services },
      ];
      for (const c of children) {
        const current = c.cached.get(c.desired.metadata.name as string, ns) ?? null;
        const { operation } = await createOrUpdate(client, c.kind, c.desired, { ...owned, current });
        if (operation !== 'unchanged') {
          recorder.event(site, 'Normal', operation === 'created' ? 'Created' : 'Updated', `${operation === 'created' ? 'Created' : 'Updated'} ${c.kind.kind} ${c.desired.metadata.name}`);
        }
      }
      const want = site.spec?.replicas ?? 1;
      const d = deployments.get(site.metadata.name as string, ns);
      const r = rolledOut(d, want);
      await updateStatus(client, WEBSITES, site, (w) => {
        const status = (w.status ??= {});
        status.observedGeneration = w.metadata.generation;
        status.replicas = d?.status?.replicas ?? 0;
        status.readyReplicas = d?.status?.readyReplicas ?? 0;
        status.url = urlOf(w);
        status.conditions = setCondition(status.conditions ?? [], {
          type: 'Ready', status: r.done ? 'True' : 'False', reason: r.reason, message: r.message, observedGeneration: w.metadata.generation,
        });
      });
    });
}
