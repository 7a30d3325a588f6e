import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../kinds.js';
import { SelectorError, fieldSelectorToString, fieldsOf, matchesFields, parseFieldSelector, validateFieldSelector } from './index.js';

const kind = (r: string) => KINDS.find((k) => k.resource === r) as (typeof KINDS)[number];

test('parsing: =, == and != only; no whitespace trimming; terms sorted; empty terms skipped', () => {
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('metadata.name==a'), [{ field: 'metadata.name', op: '=', value: 'a' }]);
  assert.deepEqual(parseFieldSelector('status.phase!=Running,metadata.name=a'), [
    { field: 'metadata.name', op: '=', value: 'a' },
    { field: 'status.phase', op: '!=', value: 'Running' },
  ]);
  assert.deepEqual(parseFieldSelector('a=,,b!='), [{ field: 'a', op: '=', value: '' }, { field: 'b', op: '!=', value: '' }]);
  assert.deepEqual(parseFieldSelector('a = b'), [{ field: 'a ', op: '=', value: ' b' }], 'Kubernetes keeps the spaces');
  assert.deepEqual(parseFieldSelector('a!b=c'), [{ field: 'a!b', op: '=', value: 'c' }]);
  assert.deepEqual(parseFieldSelector('a==b'), [{ field: 'a', op: '=', value: 'b' }]);
});

test('values unescape \\, \\= and \\\\; bad escapes and bare separators are errors', () => {
  assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\'), [{ field: 'a', op: '=', value: 'x,y=z\\' }]);
  const err = (s: string, msg: string) => assert.throws(() => parseFieldSelector(s), (e: unknown) => e instanceof SelectorError && e.message === msg);
  err('a=b=c', 'invalid field selector: unescaped character in value: 61');
  err('a=b\\x', 'invalid field selector: invalid escape sequence: \\x');
  err('a=b\\', 'invalid field selector: invalid escape sequence: \\');
  err('a>b', "invalid selector: 'a>b'; can't understand 'a>b'");
  err('x=1,a', "invalid selector: 'x=1,a'; can't understand 'a'");
  err('a in (b)', "invalid selector: 'a in (b)'; can't understand 'a in (b)'");
  const sel = parseFieldSelector('a=x\\,y,b!=z');
  assert.equal(fieldSelectorToString(sel), 'a=x\\,y,b!=z');
  assert.deepEqual(parseFieldSelector(fieldSelectorToString(sel)), sel);
});

test('matching: missing fields are empty strings', () => {
  const f = { 'metadata.name': 'p', 'spec.nodeName': '' };
  assert.equal(matchesFields(parseFieldSelector('metadata.name=p'), f), true);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), f), true);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName!='), f), false);
  assert.equal(matchesFields(parseFieldSelector('other='), f), true);
  assert.equal(matchesFields(parseFieldSelector('metadata.name=p,spec.nodeName=n'), f), false);
  assert.equal(matchesFields([], {}), true);
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
  const err = (r: string, s: string, msg: string) => assert.throws(() => validateFieldSelector(kind(r), parseFieldSelector(s)), (e: unknown) => e instanceof SelectorError && e.message === msg);
  err('pods', 'spec.color=red', 'field label not supported: spec.color');
  err('nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace');
  err('namespaces', 'metadata.namespace=x', 'field label not supported: metadata.namespace');
  err('events', 'message=x', 'field label not supported: message');
  err('configmaps', 'data.x=1', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  err('deployments', 'spec.replicas=1', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  err('pods', 'metadata.name =x', 'field label not supported: metadata.name ');
  for (const k of KINDS) assert.doesNotThrow(() => validateFieldSelector(k, parseFieldSelector('metadata.name=x')), k.resource);
  assert.deepEqual(validateFieldSelector(kind('pods'), parseFieldSelector('spec.host=n1')), [{ field: 'spec.nodeName', op: '=', value: 'n1' }], 'legacy label converted');
  assert.deepEqual(validateFieldSelector(kind('secrets'), parseFieldSelector('type=Opaque')), [{ field: 'type', op: '=', value: 'Opaque' }]);
});
