// Acceptance (apps/v1 StatefulSet and the storage kinds on the real stack: etcd, the API server, controller-manager,
// scheduler, hollow nodes, the real kubectl): OrderedReady creates web-0, web-1, web-2 in order, each after the
// previous is Ready; one claim per ordinal from the volumeClaimTemplate, of the default class local-path, given the
// scheduler's node (WaitForFirstConsumer); kubectl scale sts down and up keeps the claims; a partitioned rolling
// update replaces only ordinals >= partition; kubectl rollout status/history/undo sts; kubectl get sts,pv,pvc,sc
// columns; static binding of a claim to a hostPath volume, Released on claim delete; Kubernetes' refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor, watchEvents } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2, prefix: 'hn', heartbeatSeconds: 2 });
});
after(async () => {
  await c?.stop();
});

interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { containers: Array<{ image: string }>; hostname?: string; subdomain?: string };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

const MANIFEST = (replicas = 3) => `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example/web:v1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

async function pods(): Promise<Pod[]> {
  const items = (await c.request('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3Dweb`)).body.items as Pod[];
  return items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}
const ready = (p: Pod): boolean => p.status?.phase === 'Running' && !!p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const images = async (): Promise<string[]> => (await pods()).map((p) => p.spec.containers[0].image);

test('OrderedReady: web-0, web-1, web-2 created in order, each once the previous is Ready; claims per ordinal', async () => {
  // the order pods appear in, and whether the previous ordinal was Ready by then, as a watch sees it
  const abort = new AbortController();
  const order: string[] = [];
  const readyAtCreate: boolean[] = [];
  const readySet = new Set<string>();
  const rv = (await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.metadata.resourceVersion as string;
  const watching = (async () => {
    try {
      for await (const ev of watchEvents<Pod>(`${c.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${rv}`, abort.signal)) {
        const name = ev.object.metadata.name;
        if (ev.type === 'ADDED') {
          order.push(name);
          const ord = Number(name.split('-')[1]);
          readyAtCreate.push(ord === 0 || readySet.has(`web-${ord - 1}`));
        }
        if (ready(ev.object)) readySet.add(name);
      }
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    }
  })();
  c.ok(['apply', '-f', '-'], { input: MANIFEST() });
  const status = c.kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision web-/);
  // kubectl ran synchronously: let the watch read what it was sent meanwhile
  await waitFor('the watch to see every pod Ready', async () => readySet.size === 3, 30_000);
  abort.abort();
  await watching;
  assert.deepEqual(order, ['web-0', 'web-1', 'web-2']);
  assert.deepEqual(readyAtCreate, [true, true, true], 'each pod was created after the previous one was Ready');

  const p = (await pods())[1];
  assert.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(p.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.match(p.metadata.labels?.['controller-revision-hash'] ?? '', /^web-/);
  assert.equal(p.spec.hostname, 'web-1');
  assert.equal(p.spec.subdomain, 'web');
  const table = c.ok(['get', 'sts', 'web']);
  assert.match(table.split('\n')[0], /^NAME\s+READY\s+AGE$/);
  assert.match(table, /web\s+3\/3\s+\d+s/);
  assert.match(c.ok(['get', 'sts', 'web', '-o', 'wide']).split('\n')[0], /AGE\s+CONTAINERS\s+IMAGES$/);

  // one claim per ordinal, of the default class, promised to the node the pod went to
  const claims = (await c.request('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items as Array<{ metadata: { name: string; annotations?: Record<string, string>; finalizers?: string[] }; spec: { storageClassName?: string } }>;
  assert.deepEqual(claims.map((x) => x.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
  for (const claim of claims) {
    assert.equal(claim.spec.storageClassName, 'local-path');
    assert.match(claim.metadata.annotations?.['volume.kubernetes.io/selected-node'] ?? '', /^hn-/);
    assert.deepEqual(claim.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  }
  const pvcTable = c.ok(['get', 'pvc', 'data-web-0']);
  assert.match(pvcTable.split('\n')[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
  assert.match(pvcTable, /data-web-0\s+Pending\s+local-path\s+<unset>/);
  const sc = c.ok(['get', 'sc']);
  assert.match(sc.split('\n')[0], /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/);
  assert.match(sc, /local-path \(default\)\s+flotilla\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/);

  // flotctl reads the new kinds through its generic paths
  const fget = c.flotctl(['get', 'sts,pvc,sc']);
  assert.equal(fget.code, 0, fget.stderr);
  assert.match(fget.stdout, /statefulset\.apps\/web\s+3\/3/);
  assert.match(fget.stdout, /persistentvolumeclaim\/data-web-0\s+Pending\s+local-path/);
  assert.match(fget.stdout, /storageclass\.storage\.k8s\.io\/local-path \(default\)/);
  const fdesc = c.flotctl(['describe', 'sts', 'web']);
  assert.equal(fdesc.code, 0, fdesc.stderr);
  assert.match(fdesc.stdout, /Name:\s+web/);
  assert.match(c.ok(['describe', 'sts', 'web']), /Replicas:\s+3 desired \| 3 total/);
  assert.match(c.ok(['explain', 'statefulset.spec.persistentVolumeClaimRetentionPolicy']), /whenScaled/);
});

test('kubectl scale sts down and up: the highest ordinals go, the claims stay and are used again', async () => {
  c.ok(['scale', 'sts', 'web', '--replicas=1']);
  await waitFor('only web-0 left', async () => {
    const names = (await pods()).map((p) => p.metadata.name);
    return names.length === 1 && names[0] === 'web-0';
  }, 60_000);
  const claims = async () => ((await c.request('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items as Array<{ metadata: { name: string; uid: string } }>);
  const before = (await claims()).map((x) => `${x.metadata.name}/${x.metadata.uid}`).sort();
  assert.equal(before.length, 3, 'the claims of web-1 and web-2 are kept (whenScaled: Retain)');
  c.ok(['scale', 'sts', 'web', '--replicas=3']);
  const status = c.kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual((await claims()).map((x) => `${x.metadata.name}/${x.metadata.uid}`).sort(), before, 'the same claims');
  const web2 = (await c.request('GET', '/api/v1/namespaces/default/pods/web-2')).body;
  assert.equal(web2.spec.volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, 'data-web-2');
});

test('a partitioned rolling update replaces only ordinals >= partition; rollout history and undo', async () => {
  c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
  c.ok(['annotate', 'sts', 'web', 'kubernetes.io/change-cause=image v2']);
  c.ok(['set', 'image', 'sts/web', 'web=registry.example/web:v2']);
  const status = c.kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /partitioned roll out complete: 1 new pods have been updated/);
  await waitFor('web-2 on v2', async () => (await images()).join() === 'registry.example/web:v1,registry.example/web:v1,registry.example/web:v2' && (await pods()).every(ready), 60_000);
  const sts = JSON.parse(c.ok(['get', 'sts', 'web', '-o', 'json']));
  assert.notEqual(sts.status.currentRevision, sts.status.updateRevision);
  assert.equal(sts.status.updatedReplicas, 1);
  assert.equal(sts.status.currentReplicas, 2);

  // the rest of the way: partition 0
  c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
  assert.equal(c.kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']).code, 0);
  await waitFor('every pod on v2', async () => (await images()).every((i) => i.endsWith(':v2')) && (await pods()).every(ready), 60_000);
  const done = JSON.parse(c.ok(['get', 'sts', 'web', '-o', 'json']));
  assert.equal(done.status.currentRevision, done.status.updateRevision);
  const history = c.ok(['rollout', 'history', 'sts/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE/);
  assert.match(history, /\n1\s+<none>/);
  assert.match(history, /\n2\s+image v2/);

  c.ok(['rollout', 'undo', 'sts/web']);
  assert.equal(c.kubectl(['rollout', 'status', 'sts/web', '--timeout=90s']).code, 0);
  await waitFor('every pod back on v1', async () => (await images()).every((i) => i.endsWith(':v1')) && (await pods()).every(ready), 60_000);
  const after = c.ok(['rollout', 'history', 'sts/web']);
  assert.match(after, /\n2\s+image v2/);
  assert.match(after, /\n3\s+<none>/, 'the first revision is the newest again');
  assert.doesNotMatch(after, /\n1\s+/);
});

test('a claim binds to a matching static volume; deleting the claim releases it (Retain)', async () => {
  c.ok(['apply', '-f', '-'], { input: `
apiVersion: v1
kind: PersistentVolume
metadata: {name: manual-pv, labels: {tier: db}}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: /tmp/flotilla-manual-pv-unused}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: manual-claim}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  selector: {matchLabels: {tier: db}}
  resources: {requests: {storage: 1Gi}}
` });
  const pvTable = await waitFor('the volume Bound', async () => {
    const out = c.ok(['get', 'pv', 'manual-pv']);
    return /Bound/.test(out) ? out : undefined;
  }, 30_000);
  assert.match(pvTable.split('\n')[0], /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/);
  assert.match(pvTable, /manual-pv\s+2Gi\s+RWO\s+Retain\s+Bound\s+default\/manual-claim\s+manual\s+<unset>/);
  assert.match(await waitFor('the claim Bound', async () => {
    const out = c.ok(['get', 'pvc', 'manual-claim']);
    return /Bound/.test(out) ? out : undefined;
  }), /manual-claim\s+Bound\s+manual-pv\s+2Gi\s+RWO\s+manual/);
  assert.match(c.ok(['describe', 'pvc', 'manual-claim']), /manual-pv/);
  c.ok(['delete', 'pvc', 'manual-claim', '--wait=true']);
  await waitFor('the volume Released', async () => /manual-pv.*Released/.test(c.ok(['get', 'pv', 'manual-pv'])), 30_000);
  c.ok(['delete', 'pv', 'manual-pv', '--wait=true']);
});

test('refusals as Kubernetes words them', () => {
  const bad = c.kubectl(['apply', '-f', '-'], { input: MANIFEST().split('---')[1].replace('serviceName: web', 'serviceName: web\n  podManagementPolicy: Sometimes').replace('name: web}', 'name: bad}') });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /spec\.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'/);
  const fixed = c.kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
  assert.notEqual(fixed.code, 0);
  assert.match(fixed.stderr, /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'/);
  const noModes = c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: x}\nspec: {resources: {requests: {storage: 1Gi}}}\n' });
  assert.notEqual(noModes.code, 0);
  assert.match(noModes.stderr, /spec\.accessModes: Required value: at least 1 access mode is required/);
});

test('persistentVolumeClaimRetentionPolicy Delete: a scaled-away pod\'s claim goes with it, the rest with the set', async () => {
  const claimNames = async (): Promise<string[]> => ((await c.request('GET', '/api/v1/namespaces/default/persistentvolumeclaims?labelSelector=app%3Ddb')).body.items as Array<{ metadata: { name: string } }>)
    .map((x) => x.metadata.name).sort();
  c.ok(['apply', '-f', '-'], { input: MANIFEST(2).split('---')[1].replace(/\bweb\b/g, 'db')
    .replace('serviceName: db', 'serviceName: db\n  podManagementPolicy: Parallel\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}') });
  assert.equal(c.kubectl(['rollout', 'status', 'sts/db', '--timeout=90s']).code, 0);
  assert.deepEqual(await claimNames(), ['data-db-0', 'data-db-1']);
  c.ok(['scale', 'sts', 'db', '--replicas=1']);
  await waitFor('data-db-1 deleted with db-1', async () => (await claimNames()).join() === 'data-db-0', 60_000);
  c.ok(['delete', 'sts', 'db', '--wait=true']);
  await waitFor('data-db-0 deleted with the set', async () => (await claimNames()).length === 0, 60_000);
});

test('deleting the StatefulSet removes its pods; with the default Retain the claims stay', async () => {
  c.ok(['delete', 'sts', 'web', '--wait=true']);
  await waitFor('the pods gone', async () => (await pods()).length === 0, 60_000);
  const claims = (await c.request('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items as unknown[];
  assert.equal(claims.length, 3);
  c.ok(['delete', 'pvc', '--all', '--wait=true']);
});
