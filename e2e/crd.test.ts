// Acceptance (issue 14, CustomResourceDefinitions) on the real API server with the real kubectl, @kubernetes/client-node
// and the Python client: a CRD `websites.example.com` with two versions and a schema is served at once (discovery,
// OpenAPI for explain, printer columns, categories); custom objects are validated (422 naming every bad field; CEL rules),
// pruned and defaulted; the status and scale subresources; a watch; both versions read one object; RBAC; an API
// server restart keeps serving; deleting the CRD deletes its objects and stops serving it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { KUBECTL, TestCluster, waitFor } from './harness.js';

let c: TestCluster;

const schema = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['domain'],
      properties: {
        domain: { type: 'string', pattern: '^[a-z0-9.-]+$', description: 'The domain the site answers on.' },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        tier: { type: 'string', enum: ['free', 'pro'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        contact: { type: 'string', format: 'email', nullable: true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        plan: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'plan is immutable' }] },
        ...extra,
      },
      'x-kubernetes-validations': [{ rule: 'self.replicas <= 8 || (has(self.tier) && self.tier == "pro")', message: 'more than 8 replicas need the pro tier' }],
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } } },
  },
});

const version = (name: string, storage: boolean) => ({
  name, served: true, storage,
  schema: { openAPIV3Schema: schema() },
  subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  additionalPrinterColumns: [
    { name: 'Domain', type: 'string', jsonPath: '.spec.domain' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
});

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'websites.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'websites', singular: 'website', kind: 'Website', shortNames: ['ws'], categories: ['all'] },
    versions: [version('v1', true), version('v1beta1', false)],
  },
};

const website = (name: string, spec: Record<string, unknown>, apiVersion = 'example.com/v1') => JSON.stringify({ apiVersion, kind: 'Website', metadata: { name }, spec });
const getJson = (args: string[]) => JSON.parse(c.ok([...args, '-o', 'json']));

before(async () => {
  c = await TestCluster.start();
  c.ok(['apply', '-f', '-'], { input: JSON.stringify(CRD) });
  c.ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/websites.example.com']);
});

after(async () => {
  await c?.stop();
});

test('the CRD is established with its accepted names and stored versions, and listed as kubectl lists CRDs', () => {
  const crd = getJson(['get', 'crd', 'websites.example.com']);
  const cond = (t: string) => crd.status.conditions.find((x: { type: string }) => x.type === t);
  assert.equal(cond('NamesAccepted').status, 'True');
  assert.equal(cond('Established').status, 'True');
  assert.deepEqual(crd.status.acceptedNames, { plural: 'websites', singular: 'website', kind: 'Website', listKind: 'WebsiteList', shortNames: ['ws'], categories: ['all'] });
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  assert.match(c.ok(['get', 'crds']), /^NAME\s+CREATED AT\nwebsites\.example\.com\s+\d{4}-\d\d-\d\dT/);
  const resources = c.ok(['api-resources', '--api-group=example.com']);
  assert.match(resources, /websites\s+ws\s+example\.com\/v1\s+true\s+Website/);
});

test('kubectl apply, get with the printer columns, explain, patch --type=merge; defaults applied', () => {
  c.ok(['apply', '-f', '-'], { input: website('blog', { domain: 'blog.example.com', tier: 'pro', port: 'http' }) });
  const got = getJson(['get', 'website', 'blog']);
  assert.equal(got.apiVersion, 'example.com/v1');
  assert.equal(got.spec.replicas, 1, 'defaulted from the schema');
  assert.equal(got.metadata.generation, 1);
  const table = c.ok(['get', 'websites']);
  assert.match(table, /^NAME\s+DOMAIN\s+REPLICAS\s+AGE\n/);
  assert.match(table, /\nblog\s+blog\.example\.com\s+1\s+\d+s\n/);
  assert.match(c.ok(['get', 'ws']), /blog\.example\.com/, 'short name');
  assert.match(c.ok(['get', 'all']), /website\.example\.com\/blog/, 'the `all` category');
  const explain = c.ok(['explain', 'website.spec']);
  assert.match(explain, /domain\s+<string> -required-/);
  assert.match(explain, /The domain the site answers on\./);
  c.ok(['patch', 'website', 'blog', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
  const patched = getJson(['get', 'website', 'blog']);
  assert.equal(patched.spec.replicas, 4);
  assert.equal(patched.metadata.generation, 2);
});

test('kubectl edit; a strategic merge patch is refused (415) as custom resources have none', () => {
  const edited = c.kubectl(['edit', 'website', 'blog'], { env: { KUBE_EDITOR: "sed -i 's/tier: pro/tier: free/'" } });
  assert.equal(edited.code, 0, edited.stderr);
  assert.equal(getJson(['get', 'website', 'blog']).spec.tier, 'free');
  const r = c.kubectl(['patch', 'website', 'blog', '-p', '{"spec":{"replicas":2}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
});

test('kubectl 1.27 and 1.28 (OpenAPI v2) apply and explain custom objects', () => {
  for (const v of ['1.27', '1.28']) {
    const run = (args: string[], input?: string) => spawnSync(`/usr/lib/google-cloud-sdk/bin/kubectl.${v}`, args,
      { input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
    const applied = run(['apply', '-f', '-'], website(`k${v.replace('.', '')}`, { domain: 'old.kubectl.example.com' }));
    assert.equal(applied.status, 0, applied.stderr);
    const explained = run(['explain', 'website.spec.domain']);
    assert.equal(explained.status, 0, explained.stderr);
    assert.match(explained.stdout, /The domain the site answers on\./);
  }
});

test('invalid objects are refused with 422 naming every bad field', async () => {
  const r = c.kubectl(['apply', '-f', '-'], { input: website('bad', { replicas: 'three', tier: 'gold', tags: ['a', 'a'], contact: 'nope', port: 1.5 }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The Website "bad" is invalid/);
  for (const want of [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'spec.tier: Unsupported value: "gold": supported values: "free", "pro"',
    'spec.domain: Required value',
    'spec.tags[1]: Duplicate value: "a"',
    'spec.contact: Invalid value: "nope": spec.contact in body must be of type email: "nope"',
  ]) assert.ok(r.stderr.includes(want), `${want}\nin\n${r.stderr}`);
  const raw = await c.request('POST', '/apis/example.com/v1/namespaces/default/websites', { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'bad2' }, spec: { domain: 'UPPER', replicas: 11 } });
  assert.equal(raw.status, 422);
  const causes = (raw.body as { details: { causes: Array<{ field: string; reason: string }> } }).details.causes;
  assert.deepEqual(causes.map((x) => x.field).sort(), ['spec.domain', 'spec.replicas']);
  assert.equal(c.kubectl(['get', 'website', 'bad']).code, 1, 'nothing was stored');
});

test('CEL rules (x-kubernetes-validations) refuse what they say, transition rules on updates only', () => {
  c.ok(['apply', '-f', '-'], { input: website('cel', { domain: 'cel.example.com', plan: 'gold', replicas: 8 }) });
  const many = c.kubectl(['patch', 'website', 'cel', '--type=merge', '-p', '{"spec":{"replicas":9}}']);
  assert.notEqual(many.code, 0);
  assert.match(many.stderr, /The Website "cel" is invalid: spec: Invalid value: "object": more than 8 replicas need the pro tier/);
  c.ok(['patch', 'website', 'cel', '--type=merge', '-p', '{"spec":{"replicas":9,"tier":"pro"}}']);
  const plan = c.kubectl(['patch', 'website', 'cel', '--type=merge', '-p', '{"spec":{"plan":"silver"}}']);
  assert.notEqual(plan.code, 0);
  assert.match(plan.stderr, /spec\.plan: Invalid value: "string": plan is immutable/);
  assert.equal(getJson(['get', 'website', 'cel']).spec.plan, 'gold');
});

test('unknown fields are pruned, or refused with fieldValidation=Strict as kubectl --validate=strict asks', async () => {
  const strict = c.kubectl(['apply', '-f', '-'], { input: website('pruned', { domain: 'a.example.com', bogus: 1, extra: { kept: true } }) });
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /unknown field "spec\.bogus"/);
  c.ok(['apply', '--validate=false', '-f', '-'], { input: website('pruned', { domain: 'a.example.com', bogus: 1, extra: { kept: true } }) });
  const got = getJson(['get', 'website', 'pruned']);
  assert.equal(got.spec.bogus, undefined, 'pruned');
  assert.deepEqual(got.spec.extra, { kept: true }, 'x-kubernetes-preserve-unknown-fields keeps what is under it');
  const warn = await c.request('POST', '/apis/example.com/v1/namespaces/default/websites?fieldValidation=Warn', { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'warned' }, spec: { domain: 'w.example.com', nope: 2 } });
  assert.equal(warn.status, 201);
  assert.match(warn.headers.get('warning') ?? '', /^299 - "unknown field \\"spec\.nope\\""$/);
});

test('kubectl get websites -w sees a change', async () => {
  const child = spawn(KUBECTL, ['get', 'websites', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the initial list', async () => out.includes('blog'), 20_000);
    c.ok(['patch', 'website', 'blog', '--type=merge', '-p', '{"spec":{"domain":"watched.example.com"}}']);
    await waitFor('the change', async () => /MODIFIED\s+blog\s+watched\.example\.com/.test(out), 20_000);
  } finally {
    child.kill();
  }
});

test('the status subresource ignores spec changes, the main resource ignores status changes; generation follows spec only', () => {
  c.ok(['apply', '-f', '-'], { input: website('st', { domain: 'st.example.com', replicas: 2 }) });
  const gen = getJson(['get', 'website', 'st']).metadata.generation;
  c.ok(['patch', 'website', 'st', '--type=merge', '--subresource=status', '-p', '{"status":{"phase":"Ready","replicas":2,"selector":"app=st"},"spec":{"replicas":9}}']);
  let got = getJson(['get', 'website', 'st']);
  assert.equal(got.status.phase, 'Ready');
  assert.equal(got.spec.replicas, 2, '/status ignores spec');
  assert.equal(got.metadata.generation, gen, 'a status write does not bump the generation');
  c.ok(['patch', 'website', 'st', '--type=merge', '-p', '{"status":{"phase":"Hacked"},"spec":{"tier":"free"}}']);
  got = getJson(['get', 'website', 'st']);
  assert.equal(got.status.phase, 'Ready', 'the main resource ignores status');
  assert.equal(got.spec.tier, 'free');
  assert.equal(got.metadata.generation, gen + 1);
});

test('kubectl scale on the scale subresource (autoscaling/v1 Scale)', async () => {
  c.ok(['scale', 'website/st', '--replicas=3']);
  assert.equal(getJson(['get', 'website', 'st']).spec.replicas, 3);
  const scale = await c.request('GET', '/apis/example.com/v1/namespaces/default/websites/st/scale');
  assert.equal(scale.status, 200);
  const { kind, spec, status } = scale.body as { kind: string; spec: unknown; status: unknown };
  assert.deepEqual({ kind, spec, status }, { kind: 'Scale', spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=st' } });
  const tooMany = c.kubectl(['scale', 'website/st', '--replicas=11']);
  assert.notEqual(tooMany.code, 0, 'the schema still applies to a scale');
  assert.match(tooMany.stderr, /spec\.replicas in body should be less than or equal to 10/);
});

test('server-side apply of custom objects: the schema\'s set list merges between managers, a conflict names its owner', () => {
  const ssa = (manager: string, spec: Record<string, unknown>, ...flags: string[]) =>
    c.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...flags, '-f', '-'], { input: website('ssa-site', spec) });
  assert.equal(ssa('one', { domain: 'ssa.example.com', tags: ['a'] }).code, 0);
  assert.equal(ssa('two', { domain: 'ssa.example.com', tags: ['b'], tier: 'pro' }).code, 0);
  assert.deepEqual(getJson(['get', 'website', 'ssa-site']).spec.tags, ['a', 'b']);
  const refused = ssa('three', { domain: 'other.example.com' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Apply failed with 2 conflicts: conflicts with "one":\n- \.spec\.domain\nconflicts with "two":\n- \.spec\.domain/);
  // "one" stops applying its tag: it goes, "two"'s stays
  assert.equal(ssa('one', { domain: 'ssa.example.com' }).code, 0);
  const o = getJson(['get', 'website', 'ssa-site', '--show-managed-fields']);
  assert.deepEqual(o.spec.tags, ['b']);
  assert.deepEqual(o.metadata.managedFields.find((e: { manager: string }) => e.manager === 'two').fieldsV1, { 'f:spec': { 'f:domain': {}, 'f:tags': { 'v:"b"': {} }, 'f:tier': {} } });
});

test('one object read through both served versions (None conversion: only apiVersion changes)', () => {
  const v1beta1 = getJson(['get', 'websites.v1beta1.example.com', 'blog']);
  const v1 = getJson(['get', 'websites.v1.example.com', 'blog']);
  assert.equal(v1beta1.apiVersion, 'example.com/v1beta1');
  assert.equal(v1.apiVersion, 'example.com/v1');
  assert.deepEqual({ ...v1beta1, apiVersion: '' }, { ...v1, apiVersion: '' });
  c.ok(['apply', '-f', '-'], { input: website('old', { domain: 'old.example.com' }, 'example.com/v1beta1') });
  assert.equal(getJson(['get', 'websites.v1.example.com', 'old']).apiVersion, 'example.com/v1');
});

test('CRDs that are not structural, have CEL rules that do not compile or no single storage version are refused, naming the field', () => {
  const bad = structuredClone(CRD) as unknown as { metadata: { name: string }; spec: Record<string, unknown> };
  bad.metadata.name = 'gadgets.example.com';
  bad.spec.names = { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: [], categories: [] };
  const notStructural = { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } };
  bad.spec.versions = [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: notStructural } },
    { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a ==' }] } } }];
  const r = c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The CustomResourceDefinition "gadgets\.example\.com" is invalid/);
  assert.match(r.stderr, /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
  assert.match(r.stderr, /spec\.versions\[1\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.a ==": compilation failed/);
  assert.match(r.stderr, /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/);
});

test('RBAC applies to custom resources like any resource', async () => {
  const user = await c.as('site-reader');
  const denied = user.kubectl(['get', 'websites']);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /websites\.example\.com is forbidden: User "site-reader" cannot list resource "websites" in API group "example\.com" in the namespace "default"/);
  c.ok(['create', 'role', 'sites', '--verb=get,list', '--resource=websites.example.com']);
  c.ok(['create', 'rolebinding', 'sites', '--role=sites', '--user=site-reader']);
  await waitFor('the binding to take effect', async () => user.kubectl(['get', 'websites']).code === 0, 10_000);
  assert.notEqual(user.kubectl(['delete', 'website', 'blog']).code, 0);
});

test('@kubernetes/client-node CustomObjectsApi: create, list, watch', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.apiserver.kubeconfig);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const created = await api.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'websites',
    body: { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'from-node' }, spec: { domain: 'node.example.com' } } }) as { spec: { replicas: number } };
  assert.equal(created.spec.replicas, 1);
  const list = await api.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'websites' }) as { items: Array<{ metadata: { name: string } }> };
  assert.ok(list.items.some((i) => i.metadata.name === 'from-node'));
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  const req = await watch.watch('/apis/example.com/v1/namespaces/default/websites', { fieldSelector: 'metadata.name=from-node' },
    (type: string, obj: { metadata: { name: string }; spec: { domain: string } }) => seen.push(`${type} ${obj.metadata.name} ${obj.spec.domain}`), () => undefined);
  try {
    await waitFor('the initial ADDED', async () => seen.includes('ADDED from-node node.example.com'), 10_000);
    c.ok(['patch', 'website', 'from-node', '--type=merge', '-p', '{"spec":{"domain":"changed.example.com"}}']);
    await waitFor('MODIFIED', async () => seen.includes('MODIFIED from-node changed.example.com'), 10_000);
    assert.ok(seen.every((s) => s.includes('from-node')), 'the field selector on metadata.name holds');
  } finally {
    req.abort();
  }
});

test('the Python client CustomObjectsApi: create, list', () => {
  const script = `
import json
from kubernetes import client, config
config.load_kube_config()
api = client.CustomObjectsApi()
api.create_namespaced_custom_object('example.com', 'v1', 'default', 'websites',
    {'apiVersion': 'example.com/v1', 'kind': 'Website', 'metadata': {'name': 'from-python', 'labels': {'via': 'python'}}, 'spec': {'domain': 'py.example.com'}})
got = api.list_namespaced_custom_object('example.com', 'v1', 'default', 'websites', label_selector='via=python')
print(json.dumps([[i['metadata']['name'], i['spec']['replicas']] for i in got['items']]))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [['from-python', 1]]);
});

test('an API server restart keeps serving the CRD and its objects', async () => {
  await c.apiserver.stop();
  await c.apiserver.start();
  assert.equal(getJson(['get', 'website', 'blog']).spec.domain, 'watched.example.com');
  assert.match(c.ok(['get', 'websites']), /DOMAIN/);
});

test('deleting the CRD deletes its objects, then stops serving it', async () => {
  c.ok(['delete', 'crd', 'websites.example.com', '--timeout=30s']);
  const gone = await c.request('GET', '/apis/example.com/v1/namespaces/default/websites');
  assert.equal(gone.status, 404);
  c.ok(['apply', '-f', '-'], { input: JSON.stringify(CRD) });
  c.ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/websites.example.com']);
  const again = JSON.parse(c.ok(['get', 'websites', '-A', '-o', 'json']));
  assert.deepEqual(again.items, [], 'the objects went with the old definition');
});
