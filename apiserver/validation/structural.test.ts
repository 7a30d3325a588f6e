import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { components } from '../../lib/api/schema/index.js';
import { packageRoot } from '../../lib/util/package-root.js';
import { PRECOMPILED_PATH, compileValidator, componentsDocument, precompiledValidators, typeErrors } from './structural.js';

test('the build compiled every component\'s validator from the schemas this code has', () => {
  // npm test builds first (scripts/validators.mjs): a mismatch means the build step is missing or stale
  const built = createRequire(import.meta.url)(join(packageRoot(import.meta.url), PRECOMPILED_PATH)) as { hash: string; names: string[] };
  assert.equal(built.hash, componentsDocument().hash);
  assert.deepEqual(built.names, Object.keys(components()));
  assert.equal(precompiledValidators().size, built.names.length);
});

test('a validator compiled at build time finds what one compiled here finds', () => {
  const bad: Array<[string, unknown]> = [
    ['io.k8s.api.core.v1.Pod', { metadata: { name: 1, labels: { a: 2 } }, spec: { containers: 'web', restartPolicy: 3 } }],
    ['io.k8s.api.core.v1.Pod', { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: '80' }], resources: { limits: { cpu: true } } }] } }],
    ['io.k8s.api.apps.v1.Deployment', { spec: { replicas: '3', template: { spec: { containers: [{ name: 'c', env: [{ name: 'A', value: 1 }] }] } } } }],
    ['io.k8s.api.core.v1.Service', { spec: { ports: [{ port: '80', targetPort: true }], clusterIP: null } }],
    ['io.k8s.api.batch.v1.CronJob', { spec: { schedule: 5, jobTemplate: { spec: { template: { spec: { containers: {} } } } } } }],
  ];
  for (const [schema, obj] of bad) {
    const pre = precompiledValidators().get(schema);
    assert.ok(pre, `${schema} precompiled`);
    const here = compileValidator(schema);
    assert.equal(pre(obj), false, schema);
    assert.equal(here(obj), false, schema);
    assert.deepEqual(pre.errors, here.errors, schema);
  }
  assert.equal(precompiledValidators().get('io.k8s.api.apps.v1.Deployment')?.({ spec: { replicas: 3 } }), true);
  assert.deepEqual(typeErrors('io.k8s.api.apps.v1.Deployment', { spec: { replicas: '3' } }).map((c) => c.message),
    ['Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
});
