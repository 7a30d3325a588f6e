import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SelectorError, fieldSelectorToString, fieldsAt, matchesFields, parseFieldSelector } from './index.js';

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

test('fieldsAt reads the fields a selector names by their path, as a client filtering objects does', () => {
  const pod = { metadata: { name: 'p' }, spec: { nodeName: 'n1', hostNetwork: true, containers: [] }, status: { phase: 'Running' } };
  const sel = parseFieldSelector('spec.nodeName=n1,spec.hostNetwork=true,status.phase!=Failed,spec.missing=,spec.containers=');
  assert.deepEqual(fieldsAt(pod, sel), { 'spec.nodeName': 'n1', 'spec.hostNetwork': 'true', 'status.phase': 'Running', 'spec.missing': '', 'spec.containers': '' });
  assert.equal(matchesFields(sel, fieldsAt(pod, sel)), true);
  assert.equal(fieldsAt({ metadata: {} }, parseFieldSelector('constructor.name=Object'))['constructor.name'], '', 'no inherited member is a field');
});
