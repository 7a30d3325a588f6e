// Acceptance fuzz: random hostile requests against a real API server (real etcd). Whatever arrives (bodies,
// patches of every type, queries, paths, methods), the answer is never a 5xx, the server keeps serving, and a
// refused request changes nothing: the object it aimed at keeps its resourceVersion and content, and etcd's
// revision does not move. `npm test` runs a bounded number of requests with a fixed seed; `npm run fuzz` more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import {
  METHODS, TEMPLATES, fuzzRuns, fuzzSeed, jsonBodyTextArb, jsonPatchTextArb, mapPatchTextArb, queryArb, requestPathArb, resourceArb, yamlTextArb,
} from '../lib/api/testing/arbitraries.js';
import { TestCluster, credentialsFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const COLLECTION: Record<string, string> = {
  configmaps: '/api/v1/namespaces/default/configmaps',
  secrets: '/api/v1/namespaces/default/secrets',
  pods: '/api/v1/namespaces/default/pods',
  deployments: '/apis/apps/v1/namespaces/default/deployments',
  services: '/api/v1/namespaces/default/services',
};
const nameOf = (resource: string) => (TEMPLATES[resource] as { metadata: { name: string } }).metadata.name;
const itemPath = (resource: string) => `${COLLECTION[resource]}/${nameOf(resource)}`;

interface Answer {
  status: number;
  text: string;
}

/** Percent-encodes what Node's HTTP client refuses in a request target (spaces, controls, non-ASCII), nothing else. */
const sendable = (path: string): string => path.replace(/[^\x21-\x7e]+/g, (run) => [...Buffer.from(run, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));

/**
 * One raw HTTP exchange (any method, any bytes). A streaming answer (a watch) is cut after its first moments; the
 * status line is what the property looks at.
 */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const url = new URL(c.url);
  const { ca, cert, key } = credentialsFor(c.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: url.hostname, port: url.port, ca, cert, key, method, path: sendable(path), headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      const cut = setTimeout(() => {
        res.destroy();
        finish();
      }, 500);
      res.on('data', (d: Buffer) => {
        if (size < 64 * 1024) chunks.push(d);
        size += d.length;
      });
      res.on('end', () => {
        clearTimeout(cut);
        finish();
      });
      res.on('error', () => {
        clearTimeout(cut);
        finish();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** etcd's current revision, as a consistent list reports it. */
async function revision(): Promise<string> {
  const r = await send('GET', '/api/v1/namespaces?limit=1', {});
  return JSON.parse(r.text).metadata.resourceVersion as string;
}

async function snapshot(resource: string): Promise<string> {
  return (await send('GET', itemPath(resource), {})).text;
}

interface Req {
  method: string;
  path: string;
  contentType?: string;
  body?: string | Buffer;
  /** The seed object this request aims to change, if any. */
  target?: string;
}

const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'];

const reqArb: fc.Arbitrary<Req> = fc.oneof(
  // patches of the seed objects
  { weight: 6, arbitrary: fc.tuple(resourceArb, fc.constantFrom(...PATCH_TYPES), mapPatchTextArb, jsonPatchTextArb, queryArb).map(([resource, ct, mapPatch,
    jsonPatch, q]) => ({
    method: 'PATCH', path: `${itemPath(resource)}${q ? `?${q}` : ''}`, contentType: ct, body: ct === 'application/json-patch+json' ? jsonPatch : mapPatch, target: resource,
  })) },
  // replacing a seed object with whatever
  { weight: 2, arbitrary: fc.tuple(resourceArb, jsonBodyTextArb).map(([resource, body]) => ({ method: 'PUT', path: itemPath(resource), contentType: 'application/json', body, target: resource })) },
  { weight: 1, arbitrary: fc.tuple(resourceArb, yamlTextArb(toYaml)).map(([resource, body]) => ({ method: 'PUT', path: itemPath(resource), contentType: 'application/yaml', body, target: resource })) },
  // creates in the collections
  { weight: 2, arbitrary: fc.tuple(resourceArb, jsonBodyTextArb, fc.constantFrom('application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf')).map(([resource, body, ct]) => ({ method: 'POST', path: COLLECTION[resource] as string, contentType: ct, body })) },
  // a verb on the wrong URL, aimed at a seed object's collection
  { weight: 1, arbitrary: fc.tuple(resourceArb, fc.constantFrom('PUT', 'PATCH'), mapPatchTextArb).map(([resource, method, body]) => ({ method, path: COLLECTION[resource] as string, contentType: 'application/merge-patch+json', body, target: resource })) },
  // reads and lists with hostile queries
  { weight: 3, arbitrary: fc.tuple(resourceArb, fc.boolean(), queryArb).map(([resource, item, q]) => ({ method: 'GET', path: `${item ? itemPath(resource) : COLLECTION[resource]}?${q}` })) },
  // anything at all
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...METHODS), requestPathArb, queryArb, fc.option(jsonBodyTextArb)).map(([method, path, q, body]) => ({
    method, path: `${path}?${q}`, contentType: 'application/json', body: body ?? undefined,
  })) },
);

/** A legitimate Kubernetes answer that carries a 5xx code: a read at a resourceVersion the cluster has not reached. */
const isTooLargeRv = (a: Answer) => a.status === 504 && /Too large resource version/.test(a.text);

test('fuzz: hostile requests over HTTP never get a 5xx; a refused one changes nothing; the server keeps serving', async () => {
  for (const [resource, t] of Object.entries(TEMPLATES)) {
    const r = await send('POST', COLLECTION[resource] as string, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(t)));
    assert.equal(r.status, 201, `${resource}: ${r.text}`);
  }
  const seed = fuzzSeed();
  const numRuns = fuzzRuns(150);
  let n = 0;
  const property = fc.asyncProperty(reqArb, async (req) => {
    const rev = await revision();
    const target = req.target ? await snapshot(req.target) : undefined;
    const headers: Record<string, string> = req.contentType ? { 'Content-Type': req.contentType } : {};
    let path = req.path;
    // deletes run dry: a successful one would empty the cluster the rest of the run aims at
    if (req.method === 'DELETE') path += (path.includes('?') ? '&' : '?') + 'dryRun=All';
    const a = await send(req.method, path, headers, req.body === undefined ? undefined : Buffer.from(req.body));
    assert.ok(a.status < 500 || isTooLargeRv(a), `${req.method} ${req.path.slice(0, 200)} -> ${a.status} ${a.text.slice(0, 300)}`);
    if (a.status >= 400) {
      if (req.target) assert.equal(await snapshot(req.target), target, `a refused ${req.method} changed ${req.target}`);
      assert.equal(await revision(), rev, `a refused ${req.method} ${req.path.slice(0, 120)} (${a.status}) wrote to etcd`);
    }
    if (++n % 25 === 0) assert.equal((await send('GET', '/readyz', {})).status, 200);
  });
  try {
    await fc.assert(property, { seed, numRuns, endOnFailure: true });
  } catch (e) {
    (e as Error).message = `e2e fuzz failure (reproduce with FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns})\n${(e as Error).message}\nAPI server log:\n${c.apiserver.logTail()}`;
    throw e;
  }
  assert.equal((await send('GET', '/readyz', {})).status, 200);
  const metrics = await send('GET', '/metrics', {});
  assert.equal(metrics.status, 200);
  assert.equal(c.apiserver.proc?.exitCode, null, 'the API server process is still running');
});
