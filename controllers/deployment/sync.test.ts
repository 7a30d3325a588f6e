import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { FakeApi } from './fakeapi.js';
import { deployment, template, type DeploymentOpts } from './fixtures.js';
import { computeHash } from './hash.js';
import { getCondition } from './status.js';
import { CHANGE_CAUSE, DESIRED_REPLICAS, HASH_LABEL, MAX_REPLICAS, REVISION, REVISION_HISTORY } from './types.js';

function setup(o: DeploymentOpts = {}): FakeApi {
  const api = new FakeApi();
  const d = deployment(o);
  delete d.metadata.uid;
  api.put('Deployment', d);
  return api;
}

const rsNames = (api: FakeApi): string[] => api.list('ReplicaSet').map((r) => r.metadata.name as string).sort();
const web = (api: FakeApi): KubeObject => api.get('Deployment', 'web') as KubeObject;

/** What `kubectl set image` / `kubectl rollout undo` do: replace the template (and annotations) on the main resource. */
async function setTemplate(api: FakeApi, image: string, annotations?: Record<string, string>): Promise<void> {
  const d = web(api);
  await api.client().update({ kind: 'Deployment' } as never, { ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, ...annotations } }, spec: { ...d.spec, template: template(image) } });
}

test('a new deployment gets one ReplicaSet named after the template hash, and rolls out', async () => {
  const api = setup({ replicas: 3 });
  await api.reconcile();
  const hash = computeHash(template());
  const rs = api.get('ReplicaSet', `web-${hash}`) as KubeObject;
  assert.equal(rs.spec.replicas, 3);
  assert.equal(rs.metadata.labels?.[HASH_LABEL], hash);
  assert.equal(rs.spec.selector.matchLabels[HASH_LABEL], hash);
  assert.equal(rs.spec.template.metadata.labels[HASH_LABEL], hash);
  assert.equal(rs.metadata.annotations?.[REVISION], '1');
  assert.equal(rs.metadata.annotations?.[DESIRED_REPLICAS], '3');
  assert.equal(rs.metadata.annotations?.[MAX_REPLICAS], '4');
  assert.deepEqual(api.events, [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`]);
  assert.equal(web(api).metadata.annotations?.[REVISION], '1');
  assert.equal(web(api).metadata.generation, 1, 'the revision annotation is no spec change');
  assert.equal(getCondition(web(api).status, 'Progressing')?.message, `Created new replica set "web-${hash}"`);

  api.replicaSetController();
  await api.settle();
  const s = web(api).status;
  assert.deepEqual([s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.observedGeneration], [3, 3, 3, 3, 1]);
  assert.equal(getCondition(s, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(getCondition(s, 'Available')?.status, 'True');
});

test('a template change rolls to a new ReplicaSet with the next revision and empties the old one', async () => {
  const api = setup({ replicas: 4 });
  await api.settle();
  await setTemplate(api, 'nginx:1.26', { [CHANGE_CAUSE]: 'upgrade to 1.26' });
  await api.settle();
  const v2 = api.get('ReplicaSet', `web-${computeHash(template('nginx:1.26'))}`) as KubeObject;
  const v1 = api.get('ReplicaSet', `web-${computeHash(template())}`) as KubeObject;
  assert.equal(v2.spec.replicas, 4);
  assert.equal(v1.spec.replicas, 0);
  assert.equal(v2.metadata.annotations?.[REVISION], '2');
  assert.equal(v2.metadata.annotations?.[CHANGE_CAUSE], 'upgrade to 1.26');
  assert.equal(web(api).metadata.annotations?.[REVISION], '2');
  assert.ok(api.events.some((e) => e === `Normal ScalingReplicaSet Scaled down replica set ${v1.metadata.name} from 4 to 3`), api.events.join('\n'));
  const s = web(api).status;
  assert.deepEqual([s.replicas, s.updatedReplicas, s.availableReplicas, s.observedGeneration], [4, 4, 4, 2]);
  assert.equal(getCondition(s, 'Progressing')?.message, `ReplicaSet "${v2.metadata.name}" has successfully progressed.`);
});

test('rollout undo reuses the old ReplicaSet with the next revision instead of creating a duplicate', async () => {
  const api = setup({ replicas: 2 });
  await api.settle();
  await setTemplate(api, 'nginx:1.26');
  await api.settle();
  await setTemplate(api, 'nginx:1.25'); // kubectl rollout undo copies revision 1's template back
  await api.settle();
  assert.equal(rsNames(api).length, 2);
  const v1 = api.get('ReplicaSet', `web-${computeHash(template())}`) as KubeObject;
  assert.equal(v1.spec.replicas, 2);
  assert.equal(v1.metadata.annotations?.[REVISION], '3');
  assert.equal(v1.metadata.annotations?.[REVISION_HISTORY], '1');
  assert.equal(web(api).metadata.annotations?.[REVISION], '3');
});

test('a hash collision bumps collisionCount and the next attempt uses another name', async () => {
  const api = setup({ replicas: 1 });
  const taken = `web-${computeHash(template())}`;
  api.put('ReplicaSet', { metadata: { name: taken, labels: { other: 'x' } }, spec: { replicas: 0, selector: { matchLabels: { other: 'x' } }, template: template('busybox', { other: 'x' }) } });
  await assert.rejects(api.reconcile(), /already exists/);
  assert.equal(web(api).status.collisionCount, 1);
  await api.settle();
  const mine = api.list('ReplicaSet').find((r) => r.metadata.name !== taken) as KubeObject;
  assert.equal(mine.metadata.name, `web-${computeHash(template(), 1)}`);
  assert.equal(mine.spec.replicas, 1);
});

test('Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one', async () => {
  const api = setup({ replicas: 2, strategy: 'Recreate' });
  await api.settle();
  const v1 = `web-${computeHash(template())}`;
  await setTemplate(api, 'nginx:1.26');
  api.lingering.set(v1, 1); // one old pod still terminating
  await api.reconcile();
  assert.equal(api.get('ReplicaSet', v1)?.spec.replicas, 0);
  api.replicaSetController();
  await api.reconcile();
  assert.deepEqual(rsNames(api), [v1], 'no new pods while an old one runs');
  api.lingering.clear();
  await api.settle();
  const v2 = api.get('ReplicaSet', `web-${computeHash(template('nginx:1.26'))}`) as KubeObject;
  assert.equal(v2.spec.replicas, 2);
  assert.ok(api.events.includes(`Normal ScalingReplicaSet Scaled up replica set ${v2.metadata.name} from 0 to 2`));
});

test('old ReplicaSets beyond revisionHistoryLimit are deleted once empty', async () => {
  const api = setup({ replicas: 1, revisionHistoryLimit: 1 });
  await api.settle();
  for (const image of ['a:1', 'a:2', 'a:3']) {
    await setTemplate(api, image);
    await api.settle();
  }
  assert.deepEqual(rsNames(api), [`web-${computeHash(template('a:2'))}`, `web-${computeHash(template('a:3'))}`].sort());
});

test('a paused deployment does not roll out but still scales, and says it is paused', async () => {
  const api = setup({ replicas: 2 });
  await api.settle();
  const d = web(api);
  await api.client().update({ kind: 'Deployment' } as never, { ...d, spec: { ...d.spec, paused: true, replicas: 5, template: template('nginx:1.26') } });
  await api.settle();
  assert.deepEqual(rsNames(api), [`web-${computeHash(template())}`]);
  assert.equal(api.get('ReplicaSet', `web-${computeHash(template())}`)?.spec.replicas, 5);
  assert.ok(api.events.includes(`Normal ScalingReplicaSet Scaled up replica set web-${computeHash(template())} from 2 to 5`));
  assert.equal(getCondition(web(api).status, 'Progressing')?.reason, 'DeploymentPaused');
});

test('Recreate still rolls out when several ReplicaSets are active and sized for another replica count', async () => {
  const api = setup({ replicas: 2, strategy: 'Recreate' });
  const d = web(api);
  for (const [image, n] of [['nginx:1.24', 1], ['nginx:1.23', 1]] as const) {
    const t = template(image);
    const hash = computeHash(t);
    api.put('ReplicaSet', { metadata: { name: `web-${hash}`, labels: { app: 'web', [HASH_LABEL]: hash }, annotations: { [REVISION]: '1', [DESIRED_REPLICAS]: '5' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid as string, controller: true }] },
      spec: { replicas: n, selector: { matchLabels: { app: 'web', [HASH_LABEL]: hash } }, template: { ...t, metadata: { labels: { app: 'web', [HASH_LABEL]: hash } } } } });
  }
  await api.settle();
  const cur = api.get('ReplicaSet', `web-${computeHash(template())}`) as KubeObject;
  assert.equal(cur.spec.replicas, 2);
  assert.equal(cur.metadata.annotations?.[REVISION], '2');
  assert.equal(api.list('ReplicaSet').filter((r) => r.spec.replicas > 0).length, 1);
});
