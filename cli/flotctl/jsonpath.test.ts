// The JSONPath engine behind -o jsonpath, custom-columns and --sort-by: expected outputs and error texts are the ones
// kubectl 1.32 prints for the same template and object (checked against the real kubectl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeJsonPath, parseJsonPath } from './jsonpath.js';
import { goString, goSyntax } from './gofmt.js';
import { columnsFromSpec, columnLines, sortOrder } from './columns.js';
import { TabWriter } from './tabwriter.js';

const pod = {
  kind: 'Pod',
  metadata: { name: 'web-1', labels: { app: 'web', 'app.kubernetes.io/name': 'x' }, generation: 2 },
  spec: { containers: [{ name: 'a', image: 'nginx:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'busybox' }], replicas: 3, ratio: 0.5 },
};
const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [pod, { kind: 'Pod', metadata: { name: 'db-0' }, spec: { containers: [{ name: 'c', image: 'pg' }] } }] };
const run = (t: string, data: unknown = pod, allowMissing = true) => executeJsonPath(parseJsonPath(t), data, allowMissing);

test('fields, indexes, slices, wildcards, unions and literals', () => {
  assert.equal(run('{.metadata.name}'), 'web-1');
  assert.equal(run('{$.metadata.name}'), 'web-1');
  assert.equal(run('name={.metadata.name} gen={.metadata.generation}'), 'name=web-1 gen=2');
  assert.equal(run('{.spec.containers[*].name}'), 'a b');
  assert.equal(run('{.spec.containers[0].image}'), 'nginx:1');
  assert.equal(run('{.spec.containers[-1].name}'), 'b');
  assert.equal(run('{.spec.containers[-1:].name}'), 'b');
  assert.equal(run('{.spec.containers[0:1].name}'), 'a');
  assert.equal(run('{.spec.containers[0][\'name\',\'image\']}'), 'a nginx:1');
  assert.equal(run('{.metadata.labels[\'app\']}'), 'web');
  assert.equal(run('{.metadata.labels.app\\.kubernetes\\.io/name}'), 'x');
  assert.equal(run('{.spec.ratio} {.spec.replicas}'), '0.5 3');
  assert.equal(run('{true} {12} {1.5} {"a\\tb"}'), 'true 12 1.5 a\tb');
  assert.equal(run('{.metadata.name.*}'), '119 101 98 45 49');
});

test('maps and arrays print as compact JSON with sorted keys', () => {
  assert.equal(run('{.metadata.labels}'), '{"app":"web","app.kubernetes.io/name":"x"}');
  assert.equal(run('{.spec.containers[0].ports}'), '[{"containerPort":80}]');
  assert.equal(run('{.items[*].metadata.name}', list), 'web-1 db-0');
  assert.equal(run('{.metadata}', list), '{"resourceVersion":""}');
});

test('range/end, nested ranges and quoted separators', () => {
  assert.equal(run('{range .items[*]}{.metadata.name}{"\\n"}{end}', list), 'web-1\ndb-0\n');
  assert.equal(run('{range .items[*]}{.metadata.name}:{range .spec.containers[*]} {.name}{end};{end}', list), 'web-1: a b;db-0: c;');
  assert.equal(run('{range .nope[*]}x{end}after', list), 'after');
});

test('filters: comparisons, existence, int versus float', () => {
  assert.equal(run('{.items[?(@.metadata.name=="db-0")].spec.containers[0].image}', list), 'pg');
  assert.equal(run("{.items[?(@.metadata.name!='db-0')].metadata.name}", list), 'web-1');
  assert.equal(run('{.items[?(@.metadata.labels)].metadata.name}', list), 'web-1');
  assert.equal(run('{.spec.containers[?(@.ports[0].containerPort>=80)].name}'), 'a');
  assert.throws(() => run('{.items[?(@.metadata.generation==2.0)].metadata.name}', list), /incompatible types for comparison/);
});

test('recursive descent', () => {
  assert.equal(run('{..image}'), 'nginx:1 busybox');
  assert.equal(run('{..containerPort}'), '80');
  assert.throws(() => run('{....image}'), /invalid multiple recursive descent/);
});

test('missing keys print nothing unless missing keys are errors', () => {
  assert.equal(run('{.spec.nope}x'), 'x');
  assert.equal(run('{.metadata.generation.deeper}'), '');
  assert.throws(() => run('{.spec.nope}', pod, false), /^Error: nope is not found$/);
});

test('parse and execution errors carry kubectl\'s wording', () => {
  const parseErr = (t: string) => {
    try {
      parseJsonPath(t);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.equal(parseErr('{.x'), 'unclosed action');
  assert.equal(parseErr('{.x[0}'), 'unterminated array');
  assert.equal(parseErr('{.x[a]}'), 'invalid array index a');
  assert.equal(parseErr('{.x[?(@.a==1}'), 'unterminated filter');
  assert.equal(parseErr('{"abc}'), 'unterminated quoted string');
  assert.equal(parseErr('{!}'), "unrecognized character in action: U+0021 '!'");
  assert.throws(() => run('{.spec.containers[5]}'), /array index out of bounds: index 5, length 2/);
  assert.throws(() => run('{.metadata[0]}'), /map\[string\]interface \{\} is not array or slice/);
  assert.throws(() => run('{end}'), /not in range, nothing to end/);
  assert.throws(() => run('{foo}'), /unrecognized identifier foo/);
  assert.throws(() => run('{.metadata.name[?(@.x)]}'), /web-1 is not array or slice and cannot be filtered/);
});

test('Go formatting of values: %v and %#v', () => {
  assert.equal(goString({ b: [1, 'x'], a: null }), 'map[a:<nil> b:[1 x]]');
  assert.equal(goSyntax({ b: [1, 'x"'], a: null, c: {} }), 'map[string]interface {}{"a":interface {}(nil), "b":[]interface {}{1, "x\\""}, "c":map[string]interface {}{}}');
});

test('custom columns, the remembering tab writer and --sort-by', () => {
  const { text } = columnLines(columnsFromSpec('NAME:.metadata.name,IMAGES:.spec.containers[*].image,L:.metadata.labels.app'), list.items, false);
  assert.equal(text, 'NAME\tIMAGES\tL\nweb-1\tnginx:1,busybox\tweb\ndb-0\tpg\t<none>\n');
  let out = '';
  const w = new TabWriter((s) => (out += s));
  w.write('NAME\tAGE\na\t1s\n');
  w.flush();
  w.write('a-much-longer-name\t2s\n');
  w.flush();
  w.write('b\t3s\n');
  w.flush();
  assert.equal(out, 'NAME   AGE\na      1s\na-much-longer-name   2s\nb                    3s\n');
  assert.deepEqual(sortOrder([{ q: '1Gi' }, { q: '512Mi' }, {}, { q: '2' }], '.q'), [2, 3, 1, 0]);
  assert.deepEqual(sortOrder([{ n: 'b' }, { n: 'a' }], 'n'), [1, 0]);
});
