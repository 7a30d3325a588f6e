// For the fuzz tests: fast-check generators of hostile API input (JSON and YAML texts with repeated and hostile
// keys, deep and huge values, patches of the three kinds, selectors, request paths) and the run settings shared by
// `npm test` (a bounded number of runs, a fixed seed) and `npm run fuzz` (FUZZ_RUNS, FUZZ_SEED).
import fc from 'fast-check';

// ---- run settings -------------------------------------------------------------------------------------------------

/** The seed `npm test` uses, so a failure there reproduces; `npm run fuzz` picks a fresh one unless FUZZ_SEED is set. */
export const DEFAULT_SEED = 19;

export function fuzzRuns(bounded: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : bounded;
}

export function fuzzSeed(): number {
  const s = Number(process.env.FUZZ_SEED);
  return Number.isInteger(s) ? s : DEFAULT_SEED;
}

/** fc.assert with the shared settings; a failure names the seed and the replay path to reproduce it. */
export function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, bounded: number): void {
  const seed = fuzzSeed();
  const numRuns = fuzzRuns(bounded);
  try {
    fc.assert(fc.property(arb, predicate), { seed, numRuns });
  } catch (e) {
    const err = e as Error;
    err.message = `${name}: fuzz failure (reproduce with FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns})\n${err.message}`;
    throw err;
  }
}

// ---- keys and values ----------------------------------------------------------------------------------------------

/** Keys that have bitten JavaScript servers: prototype members, patch directives, pointer escapes, odd text. */
export const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf',
  '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/finalizers', '$deleteFromPrimitiveList/finalizers',
  '$setElementOrder/__proto__', '$deleteFromPrimitiveList/constructor', '$deleteFromPrimitiveList',
  '', ' ', '.', '..', '/', '~', '~0', '~1', 'a/b', 'a.b', '0', '-1', '1e3', 'ünï', '\u0000', '\ud800', 'a\nb',
];

/** Field names the kinds know, so that generated bodies reach real structure (and merge keys). */
export const FIELD_KEYS = [
  'apiVersion', 'kind', 'metadata', 'name', 'namespace', 'generateName', 'labels', 'annotations', 'finalizers',
  'ownerReferences', 'uid', 'resourceVersion', 'managedFields', 'fieldsV1', 'spec', 'status', 'data', 'binaryData',
  'stringData', 'type', 'replicas', 'selector', 'matchLabels', 'matchExpressions', 'key', 'operator', 'values',
  'template', 'containers', 'initContainers', 'image', 'command', 'args', 'env', 'value', 'ports', 'containerPort',
  'protocol', 'port', 'targetPort', 'volumes', 'volumeMounts', 'mountPath', 'resources', 'limits', 'requests',
  'tolerations', 'nodeSelector', 'strategy', 'rollingUpdate', 'conditions', 'app', 'k',
];

export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: 'binary' }) },
);

const NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 63, 1e308, -1e308, 5e-324, 99999999999];

export const scalarArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', 'v1', 'apps/v1', 'ConfigMap', 'Pod', 'web', 'nginx', 'TCP', 'Always', 'delete', 'replace', 'merge', 'retainKeys', '__proto__', 'a=b', '0', 'true'),
  fc.integer(),
  fc.constantFrom(...NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/** A JSON value whose objects are entry lists, so that one key may occur twice (JSON text allows it). */
export type Gen = null | boolean | number | string | Gen[] | { entries: Array<[string, Gen]> };

export const genArb: fc.Arbitrary<Gen> = fc.letrec<{ value: Gen }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb as fc.Arbitrary<Gen>,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 5 }).map((entries) => ({ entries })),
  ),
})).value;

export function toJsonText(g: Gen): string {
  if (g === null || typeof g !== 'object') return JSON.stringify(g) ?? 'null';
  if (Array.isArray(g)) return `[${g.map(toJsonText).join(',')}]`;
  return `{${g.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
}

/** Text nested `depth` levels deep around a small core, in one of the shapes a decoder may meet. */
export const deepTextArb: fc.Arbitrary<string> = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(399, 400, 401, 5000, 100_000)), fc.constantFrom('array', 'object', 'mixed')).map(([depth, shape]) => {
  if (shape === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  if (shape === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return '[{"a":'.repeat(Math.ceil(depth / 2)) + 'null' + '}]'.repeat(Math.ceil(depth / 2));
});

/** A huge value: a long string, a wide object or a long array. */
export const hugeTextArb: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('string', 'wide', 'long'), fc.integer({ min: 1000, max: 200_000 })).map(([shape, n]) => {
  if (shape === 'string') return JSON.stringify('x'.repeat(n));
  if (shape === 'wide') return `{${Array.from({ length: Math.min(n, 20_000) }, (_, i) => `"k${i}":${i}`).join(',')}}`;
  return `[${Array.from({ length: Math.min(n, 50_000) }, () => '0').join(',')}]`;
});

/** Any JSON text a client could send as a body: shallow with repeated and hostile keys, deep, or huge. */
export const jsonBodyTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: genArb.map(toJsonText) },
  { weight: 2, arbitrary: fc.tuple(genArb, deepTextArb).map(([g, deep]) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":${deep},"extra":${toJsonText(g)}}`) },
  { weight: 1, arbitrary: hugeTextArb },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
);

// ---- objects of real kinds -----------------------------------------------------------------------------------------

/** A valid object of each kind the fuzz tests write, as a client would create it. */
export const TEMPLATES: Record<string, Record<string, unknown>> = {
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', labels: { app: 'web' } }, data: { k: 'v', other: 'x' } },
  secrets: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { k: 'dg==' } },
  pods: {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'web' }, finalizers: ['a/b'] },
    spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }], tolerations: [{ key: 'k', operator: 'Exists' }] },
  },
  deployments: {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  },
  services: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
};

export const resourceArb = fc.constantFrom(...Object.keys(TEMPLATES));

/** A pointer path mixing real fields, indices, list appends, hostile keys and escapes. */
export const pointerArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.array(fc.oneof(keyArb, fc.constantFrom('0', '1', '-', '-1', '9999999999', '01', '~0', '~1', '~2', '%2F')), { minLength: 1, maxLength: 6 }).map((segs) => '/' + segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')),
  fc.constantFrom('/__proto__/x', '/constructor/prototype/x', '/metadata/__proto__/polluted', '/data/__proto__', '/spec/containers/0/__proto__', '/spec/containers/-', 'no-slash', '/'),
);

const opArb: fc.Arbitrary<Gen> = fc.record({
  op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), scalarArb as fc.Arbitrary<Gen>),
  path: fc.oneof({ weight: 5, arbitrary: pointerArb }, { weight: 1, arbitrary: scalarArb as fc.Arbitrary<Gen> }),
  from: pointerArb,
  value: genArb,
  extra: fc.array(fc.tuple(keyArb, genArb), { maxLength: 2 }),
}, { requiredKeys: ['op'] }).map((r) => {
  const entries: Array<[string, Gen]> = [['op', r.op as Gen]];
  if (r.path !== undefined) entries.push(['path', r.path as Gen]);
  if (r.from !== undefined) entries.push(['from', r.from]);
  if (r.value !== undefined) entries.push(['value', r.value]);
  return { entries: [...entries, ...(r.extra ?? [])] };
});

export const jsonPatchTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 9, arbitrary: opArb }, { weight: 1, arbitrary: genArb }), { maxLength: 8 }).map(toJsonText) },
  { weight: 1, arbitrary: fc.constantFrom('null', '{}', '"x"', '[[]]', '[null]', '[1]') },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }).map((n) => JSON.stringify([{ op: 'add', path: '/data/big', value: 'x'.repeat(50_000) }, ...Array.from({ length: n }, () => ({ op: 'copy', from: '/data', path: '/data/next' }))])) },
);

/** Merge and strategic patches: objects over the kinds' fields, with directives where a strategic patch takes them. */
export const mapPatchTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.tuple(keyArb, genArb), { maxLength: 5 }).map((entries) => toJsonText({ entries })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('metadata', 'spec', 'data'), fc.constantFrom('$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', 'containers', 'finalizers', 'labels'), genArb)
    .map(([top, k, v]) => toJsonText({ entries: [[top, { entries: [[k, v]] }]] })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('delete', 'replace', 'merge', 'x', ''), genArb).map(([d, v]) => toJsonText({ entries: [['$patch', d], ['data', v]] })) },
  { weight: 1, arbitrary: jsonBodyTextArb },
);

// ---- YAML ----------------------------------------------------------------------------------------------------------

const YAML_NOISE = ['[', ']', '{', '}', ':', ': ', '- ', '? ', '#', '&a ', '*a', '!!str ', '!', '|', '>', "'", '"', '%', '@', '`', ',', '\n', '\n  ', '\t', '---\n', '...\n', '<<: *a\n', '\\', '\u0000'];

/** YAML texts: valid ones turned from generated values, then bent by inserting YAML's special characters. */
export function yamlTextArb(stringify: (v: unknown) => string): fc.Arbitrary<string> {
  const valid = genArb.map((g) => {
    try {
      return stringify(JSON.parse(toJsonText(g)));
    } catch {
      return '';
    }
  });
  return fc.oneof(
    valid,
    fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...YAML_NOISE)), { maxLength: 6 })).map(([text, edits]) => {
      let t = text;
      for (const [at, s] of edits) {
        const i = text.length ? at % (t.length + 1) : 0;
        t = t.slice(0, i) + s + t.slice(i);
      }
      return t;
    }),
    fc.array(fc.constantFrom(...YAML_NOISE, 'a', 'key', '1', ' '), { maxLength: 60 }).map((parts) => parts.join('')),
    fc.tuple(fc.constantFrom('[', '{a: ', '- ', '? ', 'a:\n '), fc.integer({ min: 1, max: 3000 })).map(([s, n]) => s.repeat(n)),
  );
}

// ---- selectors and paths -------------------------------------------------------------------------------------------

const SELECTOR_TOKENS = ['a', 'b', 'app', 'x.io/k', 'example.com/tier', '__proto__', 'constructor', 'toString', '=', '==', '!=', '!', 'in', 'notin', '(', ')', ',', ' ', '>', '<', '1', '-1', '99999999999999999999', '', '\t', 'é', '-', '_', '.', '/', 'a'.repeat(70), '\\', '\\,', 'metadata.name', 'status.phase', 'spec.nodeName', 'Running'];

export const selectorTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...SELECTOR_TOKENS), { maxLength: 12 }).map((t) => t.join('')),
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 10, unit: 'binary' }),
);

export const labelsArb: fc.Arbitrary<Record<string, string>> = fc.array(fc.tuple(fc.oneof(keyArb, fc.constantFrom('a', 'b', 'app')), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('1', '-1', '1', 'web'))), { maxLength: 5 })
  .map((entries) => JSON.parse(toJsonText({ entries })) as Record<string, string>);

const PATH_SEGMENTS = ['api', 'apis', 'v1', 'apps', 'v1beta1', 'namespaces', 'default', 'kube-system', 'pods', 'configmaps', 'deployments', 'nodes', 'watch', 'status', 'scale', 'binding', 'log', 'exec', 'finalize', 'proxy', '%ZZ', '%2F', '%00', '%FF', '%C3%A9', '..', '.', '', 'a%', '__proto__', 'constructor', 'x'.repeat(300)];

export const requestPathArb: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PATH_SEGMENTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 8 }).map((segs) => '/' + segs.join('/')),
  fc.string({ maxLength: 30 }).map((s) => '/' + s),
);

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE'];

export const queryArb: fc.Arbitrary<string> = fc.array(fc.tuple(
  fc.constantFrom('watch', 'labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'fieldValidation', 'dryRun', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'gracePeriodSeconds', 'propagationPolicy', 'includeObject', '__proto__'),
  fc.oneof(selectorTextArb, fc.constantFrom('true', '1', 'false', '0', '-1', '1e3', 'Strict', 'Warn', 'Ignore', 'All', 'Exact', 'NotOlderThan', '99999999999', 'abc', '%ZZ', 'e30=')),
), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
