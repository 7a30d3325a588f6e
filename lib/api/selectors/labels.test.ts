import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SelectorError, formatLabelSelector, formatLabels, labelSelectorFromObject, labelSelectorToString, matchesLabelSelector, matchesLabels,
  parseLabelSelector, selectorFromSet, validateLabelKey, validateLabelValue,
} from './index.js';

const L = { app: 'web', tier: 'front', env: 'prod', replicas: '5', empty: '' };
const m = (s: string, labels: Record<string, string> = L) => matchesLabels(parseLabelSelector(s), labels);

function fails(s: string, message: string | RegExp): void {
  assert.throws(() => parseLabelSelector(s), (e: unknown) => {
    assert.ok(e instanceof SelectorError, `${s}: ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message, s);
    else assert.match(e.message, message, s);
    return true;
  });
}

test('every operator matches like Kubernetes', () => {
  assert.equal(m('app=web'), true);
  assert.equal(m('app==web'), true);
  assert.equal(m('app=api'), false);
  assert.equal(m('app!=web'), false);
  assert.equal(m('app!=api'), true);
  assert.equal(m('missing!=x'), true, '!= matches objects without the label');
  assert.equal(m('env in (prod,staging)'), true);
  assert.equal(m('env in (staging)'), false);
  assert.equal(m('missing in (x)'), false);
  assert.equal(m('env notin (prod)'), false);
  assert.equal(m('missing notin (x)'), true);
  assert.equal(m('tier'), true);
  assert.equal(m('missing'), false);
  assert.equal(m('!tier'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('replicas>4'), true);
  assert.equal(m('replicas>5'), false);
  assert.equal(m('replicas<6'), true);
  assert.equal(m('app>1'), false, 'a non-integer label never compares');
  assert.equal(m('missing<9'), false);
  assert.equal(m('empty='), true, 'an empty value matches an empty label');
  assert.equal(m('app='), false);
  assert.equal(m('empty in ()'), true, '() is the set holding the empty value');
  assert.equal(m('env in (,prod)'), true);
  assert.equal(m(''), true);
  assert.equal(m('   '), true);
  assert.equal(m('app=web', {}), false);
  assert.equal(matchesLabels(parseLabelSelector('!a'), undefined), true);
});

test('whitespace and combinations', () => {
  assert.equal(m(' app = web , tier,!missing, env  in  ( prod , dev ) '), true);
  assert.equal(m('app=web,tier=back'), false);
  assert.equal(m('x in (in,notin),app=web', { x: 'notin', app: 'web' }), true, 'in and notin are values inside parentheses');
  assert.equal(m('in=notin', { in: 'notin' }), true);
});

test('parsed requirements are sorted by key, values deduplicated and sorted; printing is canonical', () => {
  const sel = parseLabelSelector('z=1, a in (c,b,b), !m, k, q==2, r>3');
  assert.deepEqual(sel.map((r) => r.key), ['a', 'k', 'm', 'q', 'r', 'z']);
  assert.deepEqual(sel[0], { key: 'a', operator: 'In', values: ['b', 'c'] });
  assert.equal(labelSelectorToString(sel), 'a in (b,c),k,!m,q==2,r>3,z=1');
  assert.deepEqual(parseLabelSelector('x in (a,,b)')[0]?.values, ['', 'a', 'b']);
  assert.deepEqual(parseLabelSelector('x in (a,)')[0]?.values, ['', 'a']);
  assert.deepEqual(parseLabelSelector('x=')[0], { key: 'x', operator: 'Equals', values: [''] });
  assert.equal(labelSelectorToString(parseLabelSelector('e notin (y)')), 'e notin (y)');
  assert.equal(labelSelectorToString(parseLabelSelector('example.com/role!=db')), 'example.com/role!=db');
});

test('syntax errors carry the API server wording', () => {
  fails('app in (a', "unable to parse requirement: found '', expected: ',' or ')'");
  fails('app in a', "unable to parse requirement: found 'a' expected: '('");
  fails('a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  fails('a=b c', "found 'c', expected: ',' or 'end of string'");
  fails(',', "found ',', expected: !, identifier, or 'end of string'");
  fails('=x', "found '=', expected: !, identifier, or 'end of string'");
  fails('a,', "found '', expected: identifier after ','");
  fails('a,,b', "found ',', expected: identifier after ','");
  fails('!', "unable to parse requirement: found '', expected: identifier");
  fails('!a=b', "found '=', expected: ',' or 'end of string'");
  fails('a (b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  fails('a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'");
  fails('a in ((b))', "unable to parse requirement: found '(', expected: ',', ')' or identifier");
  fails('a=(b)', "unable to parse requirement: found '(', expected: identifier");
  fails('a in (b,()', "unable to parse requirement: found '(', expected: ',', or identifier");
});

test('keys and values are validated like labels', () => {
  const nameRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  fails('-app=x', `unable to parse requirement: <nil>: Invalid value: "-app": ${nameRule}`);
  fails(`${'k'.repeat(64)}`, /name part must be no more than 63 characters$/);
  fails(`-${'k'.repeat(64)}`, /name part must be no more than 63 characters; name part must consist/);
  fails('a/b/c', /<nil>: Invalid value: "a\/b\/c": a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/);
  fails('Example.com/x', /prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/);
  fails('/x', /prefix part must be non-empty/);
  fails('x/', /name part must be non-empty; name part must consist/);
  fails('app=-bad', /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '\(\(\[A-Za-z0-9\]\[-A-Za-z0-9_\.\]\*\)\?\[A-Za-z0-9\]\)\?'\)$/);
  fails(`app=${'v'.repeat(64)}`, /values\[0\]\[app\]: Invalid value: "v+": must be no more than 63 characters$/);
  fails(`app=${'v'.repeat(64)}-`, /values\[0\]\[app\]: Invalid value: "v+-": must be no more than 63 characters; a valid label/);
  fails('a in (ok,-x,-y)', /^unable to parse requirement: \[values\[0\]\[a\]: Invalid value: "-x": .*, values\[1\]\[a\]: Invalid value: "-y": .*\]$/);
  fails('a>b', "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer");
  assert.doesNotThrow(() => parseLabelSelector(`app=${'v'.repeat(63)},${'k'.repeat(63)},example.com/a_b.c-d=A1`));
  assert.equal(validateLabelKey('ok'), undefined);
  assert.equal(validateLabelValue(''), undefined);
  assert.match(validateLabelValue('a b', 'metadata.labels') ?? '', /^metadata\.labels: Invalid value: "a b": a valid label/);
});

test('structured selectors: matchLabels and matchExpressions, validated and printed sorted by key', () => {
  const sel = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['staging', 'prod'] }, { key: 'canary', operator: 'DoesNotExist' }] });
  assert.equal(matchesLabels(sel, L), true);
  assert.equal(matchesLabels(sel, { ...L, canary: 'yes' }), false);
  assert.equal(labelSelectorToString(sel), 'app=web,!canary,env in (prod,staging)');
  assert.deepEqual(labelSelectorFromObject({}), []);
  assert.equal(matchesLabels(labelSelectorFromObject({ matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'env', operator: 'NotIn', values: ['dev'] }] }), L), true);
  const err = (s: object, message: string) => assert.throws(() => labelSelectorFromObject(s),
    (e: unknown) => e instanceof SelectorError && e.message === message);
  err({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
  err({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
  err({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] }, 'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist');
  err({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, '"Equals" is not a valid label selector operator');
  err({ matchLabels: { 'bad key': 'x' } }, /* key path is "key" here */ `key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  assert.throws(() => labelSelectorFromObject({ matchLabels: { app: 'bad value' } }), /values\[0\]\[app\]: Invalid value: "bad value"/);
});

test('helpers: missing selectors match nothing, set selectors, formatting', () => {
  assert.equal(matchesLabelSelector(undefined, L), false);
  assert.equal(matchesLabelSelector(null, L), false);
  assert.equal(matchesLabelSelector({}, L), true);
  assert.equal(matchesLabelSelector({ matchLabels: { app: 'web' } }, L), true);
  assert.equal(labelSelectorToString(selectorFromSet({ b: '2', a: '1' })), 'a=1,b=2');
  assert.equal(matchesLabels(selectorFromSet({ app: 'web' }), L), true);
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
});
