import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../../lib/api/kinds.js';
import { SelectorError, matchesFields, parseFieldSelector } from '../../lib/api/selectors/index.js';
import { ApiError } from '../errors.js';
import { builtinKinds } from './kinds/index.js';
import { buildFilter, decodeContinue, encodeContinue, fieldsOf, validateFieldSelector } from './list-options.js';

// each kind's selectable fields are in its kind file
const DEFS = await builtinKinds();
const kind = (r: string) => DEFS.find((d) => d.info.resource === r) as (typeof DEFS)[number];

const PREFIX = '/registry/configmaps/default/';
const token = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

test('a continue token round-trips; its start key stays under the prefix of the list it continues', () => {
  const t = encodeContinue(42, `${PREFIX}web`, PREFIX);
  assert.deepEqual(decodeContinue(t, PREFIX), { rev: 42, startKey: `${PREFIX}web\u0000` });
  // used on another list, it can only start inside that list's prefix
  assert.deepEqual(decodeContinue(t, '/registry/configmaps/other/'), { rev: 42, startKey: '/registry/configmaps/other/web\u0000' });
});

test('forged tokens are 400 with Kubernetes\' "invalid continue token" wording', () => {
  const cases: Array<[string, RegExp]> = [
    ['not*base64', /^invalid continue token: continue key is not valid: illegal base64 data at input byte 3$/],
    ['e30=', /illegal base64 data at input byte 3/], // padding is not base64url
    [Buffer.from('garbage').toString('base64url'), /^invalid continue token: continue key is not valid: /],
    [token(null), /server does not recognize this encoded version/],
    [token({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), /server does not recognize this encoded version meta.k8s.io\/v2$/],
    [token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: '7', start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '' }), /encoded start key empty/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '../../secrets/default/s' }), /not valid: "..\/..\/secrets/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '/registry/secrets/default/s' }), /not valid: "\/registry\/secrets/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: 'a//b' }), /not valid/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: './a' }), /not valid/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(() => decodeContinue(raw, PREFIX), (e) => e instanceof ApiError && e.code === 400 && re.test(e.message), raw);
  }
});

test('pod fields', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa', hostNetwork: true }, status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], nominatedNodeName: 'n2' } };
  assert.deepEqual(fieldsOf(kind('pods'), pod), {
    'metadata.name': 'p', 'metadata.namespace': 'ns', 'spec.nodeName': 'n1', 'spec.restartPolicy': 'Always', 'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'sa', 'spec.hostNetwork': 'true', 'status.phase': 'Running', 'status.podIP': '10.0.0.1', 'status.nominatedNodeName': 'n2',
  });
  const bare = fieldsOf(kind('pods'), { metadata: { name: 'q' } });
  assert.equal(bare['spec.hostNetwork'], 'false');
  assert.equal(bare['spec.nodeName'], '');
  assert.equal(fieldsOf(kind('pods'), { metadata: {}, status: { podIP: '1.2.3.4' } })['status.podIP'], '1.2.3.4');
});

test('event, secret, node, namespace and replicaset fields', () => {
  const ev = fieldsOf(kind('events'), { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'd', uid: 'u', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec.containers{c}' }, reason: 'Started', type: 'Normal', source: { component: 'kubelet' }, reportingComponent: 'rc' });
  assert.equal(matchesFields(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=p,involvedObject.uid=u,involvedObject.fieldPath=spec.containers{c},reason=Started,type=Normal,source=kubelet,reportingComponent=rc'), ev), true);
  assert.equal(fieldsOf(kind('events'), { metadata: {}, reportingComponent: 'ctrl' }).source, 'ctrl', 'source falls back to the reporting controller');
  assert.equal(fieldsOf(kind('secrets'), { metadata: {}, type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  assert.deepEqual(fieldsOf(kind('nodes'), { metadata: { name: 'n' }, spec: { unschedulable: true } }), { 'metadata.name': 'n', 'spec.unschedulable': 'true' });
  assert.deepEqual(fieldsOf(kind('namespaces'), { metadata: { name: 'd' }, status: { phase: 'Terminating' } }), { 'metadata.name': 'd', 'status.phase': 'Terminating' });
  assert.equal(fieldsOf(kind('replicasets'), { metadata: {}, status: { replicas: 3 } })['status.replicas'], '3');
  assert.equal(fieldsOf(kind('replicasets'), { metadata: {} })['status.replicas'], '0');
  assert.deepEqual(fieldsOf(kind('configmaps'), { metadata: { name: 'c', namespace: 'd' } }), { 'metadata.name': 'c', 'metadata.namespace': 'd' });
});

test('unsupported field labels are rejected with the API server message', () => {
  const err = (r: string, s: string, msg: string) => assert.throws(() => validateFieldSelector(kind(r), parseFieldSelector(s)),
    (e: unknown) => e instanceof SelectorError && e.message === msg);
  err('pods', 'spec.color=red', 'field label not supported: spec.color');
  err('nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace');
  err('namespaces', 'metadata.namespace=x', 'field label not supported: metadata.namespace');
  err('events', 'message=x', 'field label not supported: message');
  err('configmaps', 'data.x=1', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  err('deployments', 'spec.replicas=1', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  err('pods', 'metadata.name =x', 'field label not supported: metadata.name ');
  for (const k of DEFS) assert.doesNotThrow(() => validateFieldSelector(k, parseFieldSelector('metadata.name=x')), k.info.resource);
  assert.deepEqual(validateFieldSelector(kind('pods'), parseFieldSelector('spec.host=n1')), [{ field: 'spec.nodeName', op: '=', value: 'n1' }], 'legacy label converted');
  assert.deepEqual(validateFieldSelector(kind('secrets'), parseFieldSelector('type=Opaque')), [{ field: 'type', op: '=', value: 'Opaque' }]);
});

test('a legacy field label selects by the field it stands for (spec.host is a pod\'s spec.nodeName)', () => {
  const f = buildFilter(kind('pods'), undefined, 'spec.host=n1');
  assert.equal(f.matches({ metadata: { name: 'p', namespace: 'd' }, spec: { nodeName: 'n1' } }), true);
  assert.equal(f.matches({ metadata: { name: 'q', namespace: 'd' }, spec: { nodeName: 'n2' } }), false);
});

test('every built-in kind has its definition, named after its resource', () => {
  assert.deepEqual(DEFS.map((d) => d.info), [...KINDS]);
});

test('fuzz: field selector validation per kind fails only with SelectorError', async () => {
  const fc = (await import('fast-check')).default;
  const { check, selectorTextArb } = await import('../../lib/api/testing/arbitraries.js');
  check('field selector per kind', fc.tuple(selectorTextArb, fc.constantFrom(...DEFS)), ([text, def]) => {
    let sel;
    try {
      sel = validateFieldSelector(def, parseFieldSelector(text));
    } catch (e) {
      assert.ok(e instanceof SelectorError, String(e));
      return;
    }
    assert.equal(typeof matchesFields(sel, fieldsOf(def, { metadata: { name: 'x', namespace: 'y' } })), 'boolean');
  }, 600);
});
