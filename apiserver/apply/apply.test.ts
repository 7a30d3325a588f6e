// Server-side apply's logic on parsed objects, with the built-in Deployment definition and a custom resource's
// schema: field sets in FieldsV1, ownership on updates, merging by list type, conflicts, force and removal.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import type { KindDefinition } from '../registry/kind.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { applyConfig, LAST_APPLIED, type ApplyRequest } from './apply.js';
import { FieldSet, pathString } from './fieldset.js';
import { kindType } from './kind-type.js';
import { stripUntracked, type ManagedFieldsEntry } from './managed-fields.js';
import { trackWrite } from './track.js';
import { collect } from './walk.js';

let deployments: KindDefinition;
let configmaps: KindDefinition;
before(async () => {
  const kinds = await builtinKinds();
  deployments = kinds.find((d) => d.info.resource === 'deployments') as KindDefinition;
  configmaps = kinds.find((d) => d.info.resource === 'configmaps') as KindDefinition;
});

const config = (over: Record<string, unknown> = {}, containers: unknown[] = [{ name: 'web', image: 'web:1' }]): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { app: 'd' } },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers } }, ...over },
});

const req = (manager: string, cfg: KubeObject, force = false): ApplyRequest => ({ def: deployments, manager, apiVersion: 'apps/v1', force, config: cfg });
const entries = (o: KubeObject): ManagedFieldsEntry[] => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const entry = (o: KubeObject, manager: string): ManagedFieldsEntry | undefined => entries(o).find((e) => e.manager === manager);
const conflictOf = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('expected a conflict');
};

test('FieldsV1: members without children are {}, with children carry "."; the JSON reads back the same', () => {
  const raw = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } };
  const set = FieldSet.fromFieldsV1(raw);
  assert.deepEqual(set.toFieldsV1(), raw);
  assert.deepEqual(set.members().map(pathString), ['.metadata.labels', '.metadata.labels.app', '.spec.replicas']);
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
  assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:y': {} }), /unknown path element/);
});

test("an applied configuration's field set: map-list items by their keys (a left-out protocol is TCP), sets by value", () => {
  const cfg = config({ replicas: 2 }, [{ name: 'web', image: 'web:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }]);
  (cfg.metadata as Record<string, unknown>).finalizers = ['x/y'];
  const set = new FieldSet();
  collect(cfg, kindType(deployments), set, true);
  stripUntracked(set);
  assert.deepEqual(set.toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"x/y"': {} }, 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {}, // an atomic struct
      'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': {
        '.': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } },
    },
  });
});

test('a configuration whose map-list item lacks its key is refused (400), naming the key', () => {
  const e = conflictOf(() => applyConfig(undefined, req('a', config({}, [{ image: 'x' }]))));
  assert.equal(e.code, 400);
  assert.match(e.message, /omits key field "name"/);
  const dup = conflictOf(() => applyConfig(undefined, req('a', config({}, [{ name: 'w', image: 'x' }, { name: 'w', image: 'y' }]))));
  assert.match(dup.message, /duplicate entries for key \{"name":"w"\}/);
});

test('a create records an Update entry for its manager: every field it set, new maps and items with "."', () => {
  const obj = config({ replicas: 1 });
  trackWrite(deployments, { manager: 'kubectl-create', apiVersion: 'apps/v1' }, obj, undefined);
  const [e] = entries(obj);
  assert.equal(e?.manager, 'kubectl-create');
  assert.equal(e?.operation, 'Update');
  assert.equal(e?.apiVersion, 'apps/v1');
  assert.equal(e?.fieldsType, 'FieldsV1');
  assert.match(e?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const f = e?.fieldsV1 as Record<string, Record<string, Record<string, unknown>>>;
  assert.deepEqual(f['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.deepEqual((f['f:spec'] as Record<string, unknown>)['f:replicas'], {});
  assert.equal(f['f:apiVersion'], undefined);
});

test('an update takes the fields it changed from other managers and drops the ones it removed; [{}] strips them all', () => {
  const live = applyConfig(undefined, req('a', config({ replicas: 1, paused: true })));
  const next = structuredClone(live);
  (next.spec as Record<string, unknown>).replicas = 5;
  delete (next.spec as Record<string, unknown>).paused;
  trackWrite(deployments, { manager: 'scaler', apiVersion: 'apps/v1' }, next, live);
  const a = entry(next, 'a')?.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.equal(a['f:spec']?.['f:replicas'], undefined);
  assert.equal(a['f:spec']?.['f:paused'], undefined);
  assert.ok(a['f:spec']?.['f:template']);
  assert.deepEqual(entry(next, 'scaler')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  // an unchanged write keeps the stored list as it is
  const same = structuredClone(next);
  delete same.metadata.managedFields;
  trackWrite(deployments, { manager: 'other', apiVersion: 'apps/v1' }, same, next);
  assert.deepEqual(same.metadata.managedFields, next.metadata.managedFields);
  const reset = structuredClone(next);
  reset.metadata.managedFields = [{}];
  trackWrite(deployments, { manager: 'other', apiVersion: 'apps/v1' }, reset, next);
  assert.equal(reset.metadata.managedFields, undefined);
});

test('two managers own different fields; a third changing an owned field gets 409 naming owner and field; force takes it', () => {
  let live = applyConfig(undefined, req('team-a', config({ replicas: 2 })));
  live = applyConfig(live, req('team-b', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { minReadySeconds: 5 } }));
  // the same value is shared ownership, not a conflict
  live = applyConfig(live, req('team-c', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } }));
  assert.ok((entry(live, 'team-c')?.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']?.['f:replicas']);
  const third = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 7, minReadySeconds: 9 } } as KubeObject;
  const e = conflictOf(() => applyConfig(live, req('team-d', third)));
  assert.equal(e.code, 409);
  assert.equal(e.reason, 'Conflict');
  assert.equal(e.message, 'Apply failed with 3 conflicts: conflicts with "team-a":\n- .spec.replicas\nconflicts with "team-b":\n- .spec.minReadySeconds\nconflicts with "team-c":\n- .spec.replicas');
  assert.deepEqual(e.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "team-a"', field: '.spec.replicas' },
    { reason: 'FieldManagerConflict', message: 'conflict with "team-b"', field: '.spec.minReadySeconds' },
    { reason: 'FieldManagerConflict', message: 'conflict with "team-c"', field: '.spec.replicas' },
  ]);
  const forced = applyConfig(live, req('team-d', third, true));
  assert.equal((forced.spec as Record<string, unknown>).replicas, 7);
  assert.equal(entry(forced, 'team-b'), undefined); // it owned nothing else
  assert.equal((entry(forced, 'team-a')?.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']?.['f:replicas'], undefined);
  assert.deepEqual(entry(forced, 'team-d')?.fieldsV1, { 'f:spec': { 'f:minReadySeconds': {}, 'f:replicas': {} } });
});

test('an Update owner is named with its API version, one conflict in one line', () => {
  const live = config({ replicas: 1 });
  trackWrite(deployments, { manager: 'kubectl-edit', apiVersion: 'apps/v1' }, live, undefined);
  const e = conflictOf(() => applyConfig(live, req('ci', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 3 } } as KubeObject)));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
});

test('a manager that stops applying a field removes it, unless another manager owns it; list items merge by key', () => {
  let live = applyConfig(undefined, req('a', config({ replicas: 2, minReadySeconds: 3 }, [{ name: 'web', image: 'web:1' }, { name: 'side', image: 'side:1' }])));
  live = applyConfig(live, req('b', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { minReadySeconds: 3,
    template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: 'b' }] }] } } } } as KubeObject));
  type Spec = { template?: { spec?: { containers?: Array<Record<string, unknown>> } } };
  const containers = (o: KubeObject) => (o.spec as Spec).template?.spec?.containers as Array<Record<string, unknown>>;
  assert.deepEqual(containers(live).map((c) => [c.name, c.image, c.env]), [['web', 'web:1', [{ name: 'B', value: 'b' }]], ['side', 'side:1', undefined]]);
  // a drops replicas (gone), minReadySeconds (b owns it too: kept) and the web container (b owns a field in it: kept)
  live = applyConfig(live, req('a', config({}, [{ name: 'side', image: 'side:1' }])));
  const spec = live.spec as Record<string, unknown>;
  assert.equal(spec.replicas, undefined);
  assert.equal(spec.minReadySeconds, 3);
  assert.deepEqual(containers(live).map((c) => [c.name, c.image ?? null]), [['web', null], ['side', 'side:1']]);
  // a list emptied by a removal is no field at all
  live = applyConfig(live, req('c', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {
    template: { spec: { containers: [{ name: 'side', env: [{ name: 'C', value: 'c' }] }] } } } } as KubeObject));
  assert.deepEqual(containers(live)[1]?.env, [{ name: 'C', value: 'c' }]);
  live = applyConfig(live, req('c', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {
    template: { spec: { containers: [{ name: 'side' }] } } } } as KubeObject));
  assert.equal(Object.hasOwn(containers(live)[1] ?? {}, 'env'), false);
  // once b drops its env too, nothing keeps the web container
  live = applyConfig(live, req('b', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { minReadySeconds: 3 } } as KubeObject));
  assert.deepEqual(containers(live).map((c) => c.name), ['side']);
});

test("kubectl's apply keeps an existing last-applied-configuration annotation current", () => {
  const live = config({ replicas: 1 });
  live.metadata.annotations = { [LAST_APPLIED]: '{"old":true}\n' };
  const out = applyConfig(live, req('kubectl', config({ replicas: 4 }), true));
  assert.deepEqual(JSON.parse(out.metadata.annotations?.[LAST_APPLIED] ?? ''), config({ replicas: 4 }));
  const other = applyConfig(live, req('helm', config({ replicas: 4 }), true));
  assert.equal(other.metadata.annotations?.[LAST_APPLIED], '{"old":true}\n');
});

test("a custom resource's list types come from its schema: map lists by their keys, sets, atomic lists replaced", () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: {
    routes: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['host', 'port'],
      items: { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' }, to: { type: 'string' } } } },
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
  } } } };
  const def = { schema: 'com.example.v1.Site', ownSchema: { schemas: { 'com.example.v1.Site': schema } }, info: { kind: 'Site' }, subresources: {} } as unknown as KindDefinition;
  const site = (spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Site', metadata: { name: 's' }, spec }) as KubeObject;
  const r = (manager: string, spec: Record<string, unknown>): ApplyRequest => ({ def, manager, apiVersion: 'example.com/v1', force: false, config: site(spec) });
  let live = applyConfig(undefined, r('a', { routes: [{ host: 'x', port: 80, to: 'a' }], tags: ['t1'], args: ['1', '2'] }));
  assert.deepEqual(entry(live, 'a')?.fieldsV1, { 'f:spec': { 'f:args': {},
    'f:routes': { 'k:{"host":"x","port":80}': { '.': {}, 'f:host': {}, 'f:port': {}, 'f:to': {} } }, 'f:tags': { 'v:"t1"': {} } } });
  live = applyConfig(live, r('b', { routes: [{ host: 'y', port: 80, to: 'b' }], tags: ['t2'] }));
  assert.deepEqual(live.spec, { routes: [{ host: 'x', port: 80, to: 'a' }, { host: 'y', port: 80, to: 'b' }], tags: ['t1', 't2'], args: ['1', '2'] });
  const e = conflictOf(() => applyConfig(live, r('b', { args: ['3'] })));
  assert.match(e.message, /conflict with "a": \.spec\.args$/);
});

test('a map the manager owned as a whole and still applies in part keeps what it still applies', () => {
  const cm = (data: Record<string, string>, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels }, data }) as KubeObject;
  // as kubectl's migration leaves it: the apply entry owns labels itself (`.`) and each label
  const live = cm({ k1: 'v1', k2: 'v2' }, { a: '1', b: '2' });
  live.metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { '.': {}, 'f:k1': {}, 'f:k2': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {}, 'f:b': {} } } } }];
  const out = applyConfig(live, { def: configmaps, manager: 'kubectl', apiVersion: 'v1', force: false, config: cm({ k1: 'v1' }, { a: '1' }) });
  assert.deepEqual(out.metadata.labels, { a: '1' });
  assert.deepEqual(out.data, { k1: 'v1' });
});

test('an object with no managedFields: its fields are "before-first-apply"\'s, and a first apply changing one conflicts', () => {
  const live = config({ replicas: 1 });
  const e = conflictOf(() => applyConfig(live, req('ci', config({ replicas: 3 }))));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  const same = applyConfig(live, req('ci', config({ replicas: 1 })));
  assert.deepEqual(entries(same).map((x) => `${x.manager}/${x.operation}`), ['ci/Apply', 'before-first-apply/Update']);
});

test('hostile keys and shapes: __proto__ stays an ordinary key, a scalar where an object belongs is the validator\'s to refuse', () => {
  const cfg = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"__proto__":"x"}},"data":{"__proto__":"y","constructor":"z"}}') as KubeObject;
  const out = applyConfig(undefined, { def: configmaps, manager: 'm', apiVersion: 'v1', force: false, config: cfg });
  assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
  assert.deepEqual(Object.keys(out.data as object), ['__proto__', 'constructor']);
  assert.deepEqual(Object.keys(out.metadata.labels as object), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  const odd = applyConfig(out, { def: deployments, manager: 'm', apiVersion: 'apps/v1', force: true,
    config: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'c' }, spec: 'not an object' } as unknown as KubeObject });
  assert.equal(odd.spec, 'not an object');
});

test('Update entries are capped at 10: the oldest of each API version are merged into its ancient-changes entry; Apply entries are not counted', () => {
  const key = (i: number) => `k${String(i).padStart(2, '0')}`;
  const data: Record<string, string> = {};
  const managedFields: ManagedFieldsEntry[] = [{ manager: 'applier', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } }];
  for (let i = 1; i <= 11; i++) {
    data[key(i)] = 'x';
    managedFields.push({ manager: `m${key(i)}`, operation: 'Update', apiVersion: 'v1', time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { [`f:${key(i)}`]: {} } } });
  }
  const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: 'c' }, managedFields }, data };
  const next = structuredClone(live);
  (next.data as Record<string, string>).k12 = 'x';
  delete next.metadata.managedFields;
  trackWrite(configmaps, { manager: 'mk12', apiVersion: 'v1' }, next, live);
  const got = entries(next);
  assert.equal(got.filter((e) => e.operation === 'Update').length, 10);
  assert.ok(entry(next, 'applier'), 'the Apply entry stays');
  // m01 became the bucket, m02 and m03 were merged into it, with m03's time
  const ancient = entry(next, 'ancient-changes');
  assert.deepEqual(ancient?.fieldsV1, { 'f:data': { 'f:k01': {}, 'f:k02': {}, 'f:k03': {} } });
  assert.equal(ancient?.time, '2026-01-01T00:00:03Z');
  assert.deepEqual(got.filter((e) => e.operation === 'Update').map((e) => e.manager).slice(1), ['mk04', 'mk05', 'mk06', 'mk07', 'mk08', 'mk09', 'mk10', 'mk11', 'mk12']);
  // the next update by a new manager merges the oldest left (mk04) into the bucket
  const again = structuredClone(next);
  (again.data as Record<string, string>).k13 = 'x';
  delete again.metadata.managedFields;
  trackWrite(configmaps, { manager: 'mk13', apiVersion: 'v1' }, again, next);
  assert.equal(entries(again).filter((e) => e.operation === 'Update').length, 10);
  assert.deepEqual(entry(again, 'ancient-changes')?.fieldsV1, { 'f:data': { 'f:k01': {}, 'f:k02': {}, 'f:k03': {}, 'f:k04': {} } });
});
