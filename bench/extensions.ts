// npm run bench (extending the API, issue 14): three figures, each beside its baseline measured in the same run on
// a real etcd and `flotilla apiserver` (HTTPS, the admin's client certificate):
// 1. creates/s of a custom resource whose CRD has a 50-field structural schema beside creates/s of a ConfigMap of the
//    same serialized size, at the same client concurrency (target: >= 90% of the ConfigMap rate);
// 2. server-side apply of a Deployment vs kubectl's client-side apply of the same object (GET, three-way strategic
//    merge patch with the last-applied annotation, PATCH): latency p50/p99 over N sequential applies each changing
//    one field;
// 3. an informer over BENCH_INFORMER_OBJECTS ConfigMaps (written straight into etcd as the API server stores them)
//    started with a streaming list (watch-list) vs a LIST then WATCH: peak RSS of the API server (a fresh process
//    for each, its high-water mark reset once it has settled) and of the client (its own process,
//    bench/informer-client.ts), and the time to synced.
// Run alone: `node dist/bench/extensions.js`. Knobs: BENCH_SECONDS (each create slice, 5), BENCH_CLIENTS ("1,16"),
// BENCH_APPLIES (300), BENCH_INFORMER_OBJECTS (50000), BENCH_SETTLE_SECONDS (45), BENCH_INFORMER_TIMEOUT_SECONDS (120),
// BENCH_PARTS ("1,2,3").
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { ApiServerProcess, Etcd, ROOT, credentialsOf, freePort, waitFor } from '../e2e/harness.js';
import { writeConfigMaps } from '../e2e/embedded.js';
import { findByResource, type KindInfo } from '../lib/api/kinds.js';
import type { KubeObject } from '../lib/api/types.js';
import type { JsonMap } from '../lib/api/patch/errors.js';
import { LAST_APPLIED, withLastApplied } from '../cli/flotctl/apply.js';
import { cursorFor, threeWayPatch } from '../cli/flotctl/threeway.js';
import type { InformerFigures, InformerMode } from './informer-client.js';

const SLICE_MS = Number(process.env.BENCH_SECONDS ?? '5') * 1000;
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,16').split(',').map(Number);
const APPLIES = Number(process.env.BENCH_APPLIES ?? '300');
const INFORMER_OBJECTS = Number(process.env.BENCH_INFORMER_OBJECTS ?? '50000');
const SETTLE_MS = Number(process.env.BENCH_SETTLE_SECONDS ?? '45') * 1000;
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3').split(','));
const NS = 'bench-ext';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const conditions = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${mb(freemem())} free`;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** The admin's connection to one API server. */
class Api {
  constructor(readonly url: string, readonly agent: Agent) {}

  static async of(api: ApiServerProcess): Promise<Api> {
    const c = await credentialsOf(api.kubeconfig);
    return new Api(api.url, new Agent({ keepAlive: true, maxSockets: 256, ca: c.ca, cert: c.cert, key: c.key }));
  }

  send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) };
      const req = request(`${this.url}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async must(method: string, path: string, body: unknown, want: number[], contentType?: string): Promise<KubeObject> {
    const r = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    if (!want.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${r.body.slice(0, 500)}`);
    return JSON.parse(r.body) as KubeObject;
  }
}

/** A cluster for the bench: its own etcd and API server in a temp dir. */
async function cluster(prefix: string): Promise<{ dir: string; etcd: Etcd; api: ApiServerProcess; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const etcd = await Etcd.start(dir);
  const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint);
  try {
    await api.start();
  } catch (e) {
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, etcd, api, stop: async () => {
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  } };
}

// ---- 1. creates of a custom resource with a 50-field schema vs ConfigMaps of the same size ----

const FIELDS = 50;
const GROUP = 'bench.flotilla.io';

/** Field i's schema and value: strings with a length bound, bounded integers, booleans, enums and patterns in turn. */
function field(i: number): { schema: JsonMap; value: unknown } {
  switch (i % 5) {
    case 0: return { schema: { type: 'string', maxLength: 64 }, value: `value-of-field-${i}` };
    case 1: return { schema: { type: 'integer', minimum: 0, maximum: 1_000_000 }, value: i * 1000 };
    case 2: return { schema: { type: 'boolean' }, value: i % 2 === 0 };
    case 3: return { schema: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] }, value: 'IfNotPresent' };
    default: return { schema: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }, value: `name-${i}` };
  }
}
const fieldName = (i: number) => `field${String(i).padStart(2, '0')}`;

function widgetCrd(): JsonMap {
  const properties = Object.fromEntries(Array.from({ length: FIELDS }, (_, i) => [fieldName(i), field(i).schema]));
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets.${GROUP}` },
    spec: {
      group: GROUP, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
        type: 'object',
        properties: { spec: { type: 'object', required: [fieldName(0), fieldName(1)], properties } },
      } } }],
    },
  };
}

// Names of one width, so every body of a kind has the same size.
const objName = (conc: number, i: number) => `o${String(conc).padStart(2, '0')}-${String(i).padStart(8, '0')}`;
const widgetBody = (name: string) => JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name, namespace: NS, labels: { bench: 'yes' } },
  spec: Object.fromEntries(Array.from({ length: FIELDS }, (_, i) => [fieldName(i), field(i).value])) });
const configMapBody = (name: string, pad: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { bench: 'yes' } }, data: { v: pad } });

interface Rate {
  ops: number;
  ms: number;
  lat: number[];
}

async function slice(conc: number, into: Rate, op: () => Promise<void>): Promise<void> {
  const start = performance.now();
  const end = start + SLICE_MS;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await op();
      into.lat.push(performance.now() - t);
      into.ops++;
    }
  }));
  into.ms += performance.now() - start;
}

const fmt = (r: Rate) => {
  const lat = [...r.lat].sort((a, b) => a - b);
  return `${(r.ops / (r.ms / 1000)).toFixed(0).padStart(6)} creates/s  p50 ${percentile(lat, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(lat, 99).toFixed(1).padStart(6)} ms`;
};

async function creates(api: Api): Promise<void> {
  await api.must('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd(), [201]);
  await waitFor('the Widget CRD established', async () => {
    const crd = await api.must('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${GROUP}`, undefined, [200]);
    const established = (crd.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Established' && c.status === 'True');
    return established && (await api.send('GET', `/apis/${GROUP}/v1/namespaces/${NS}/widgets`)).status === 200;
  }, 30_000);
  const widgetSize = Buffer.byteLength(widgetBody(objName(1, 0)));
  const pad = 'x'.repeat(widgetSize - Buffer.byteLength(configMapBody(objName(1, 0), '')));
  const cmSize = Buffer.byteLength(configMapBody(objName(1, 0), pad));
  console.log(`## 1. creates: a Widget (CRD, ${FIELDS}-field structural schema: bounded strings, integers, booleans, enums, patterns) vs a ConfigMap, both ${widgetSize} bytes of JSON (ConfigMap ${cmSize})`);
  console.log(`##    slices of ${SLICE_MS / 1000} s in the order ConfigMap, Widget, Widget, ConfigMap at each concurrency (so a drift in the machine's load falls on both); ${conditions()}`);
  let next = 0;
  for (const conc of CLIENTS) {
    const cm: Rate = { ops: 0, ms: 0, lat: [] };
    const cr: Rate = { ops: 0, ms: 0, lat: [] };
    const createCm = async () => {
      const r = await api.send('POST', `/api/v1/namespaces/${NS}/configmaps`, configMapBody(objName(conc, next++), pad));
      if (r.status !== 201) throw new Error(`ConfigMap create answered ${r.status}: ${r.body}`);
    };
    const createCr = async () => {
      const r = await api.send('POST', `/apis/${GROUP}/v1/namespaces/${NS}/widgets`, widgetBody(objName(conc, next++)));
      if (r.status !== 201) throw new Error(`Widget create answered ${r.status}: ${r.body}`);
    };
    await slice(conc, cm, createCm);
    await slice(conc, cr, createCr);
    await slice(conc, cr, createCr);
    await slice(conc, cm, createCm);
    const ratio = (cr.ops / cr.ms) / (cm.ops / cm.ms);
    console.log(`clients ${String(conc).padStart(2)}  ConfigMap ${fmt(cm)}`);
    console.log(`            Widget    ${fmt(cr)}   = ${(ratio * 100).toFixed(0)}% of the ConfigMap rate: target >= 90% ${ratio >= 0.9 ? 'met' : 'NOT met'}`);
  }
}

// ---- 2. server-side apply vs client-side apply of a Deployment ----

function deployment(name: string, rev: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name, tier: 'front' } },
    spec: {
      replicas: 3, selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: name, tier: 'front' } },
        spec: {
          containers: [
            { name: 'web', image: 'registry.local/web:1', ports: [{ containerPort: 8080 }],
              env: [{ name: 'MODE', value: 'prod' }, { name: 'REVISION', value: String(rev) }], resources: { requests: { cpu: '100m', memory: '64Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 5 }, volumeMounts: [{ name: 'data', mountPath: '/data' }] },
            { name: 'side', image: 'registry.local/side:1', args: ['--a', '--b'] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

const DEPLOYMENTS = findByResource('apps', 'v1', 'deployments') as KindInfo;
const deployPath = (name: string) => `/apis/apps/v1/namespaces/${NS}/deployments/${name}`;

/** kubectl apply (client-side): GET the live object, the three-way patch from last-applied, the file and live, PATCH. */
async function clientSideApply(api: Api, obj: KubeObject, patchOnly: number[]): Promise<void> {
  const live = await api.must('GET', deployPath(obj.metadata.name as string), undefined, [200]);
  const modified = withLastApplied(obj);
  const original = JSON.parse(live.metadata.annotations?.[LAST_APPLIED] ?? '{}') as JsonMap;
  const patch = threeWayPatch(original, modified as JsonMap, live as JsonMap, cursorFor(DEPLOYMENTS));
  const t = performance.now();
  await api.must('PATCH', `${deployPath(obj.metadata.name as string)}?fieldManager=kubectl-client-side-apply`, patch, [200], 'application/strategic-merge-patch+json');
  patchOnly.push(performance.now() - t);
}

/** kubectl apply --server-side: the object as an apply patch (JSON is YAML), manager kubectl, nothing read first. */
const serverSideApply = (api: Api, obj: KubeObject) =>
  api.must('PATCH', `${deployPath(obj.metadata.name as string)}?fieldManager=kubectl`, obj, [200, 201], 'application/apply-patch+yaml');

async function applies(api: Api): Promise<void> {
  const probe = await api.send('PATCH', `${deployPath('ssa-web')}?fieldManager=kubectl`, JSON.stringify(deployment('ssa-web', 0)), 'application/apply-patch+yaml');
  if (probe.status === 415) {
    console.log('## 2. server-side apply: left out, the API server answers 415 to application/apply-patch+yaml');
    return;
  }
  if (probe.status !== 201) throw new Error(`the first server-side apply answered ${probe.status}: ${probe.body}`);
  await api.must('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, withLastApplied(deployment('csa-web', 0)), [201]);
  console.log(`\n## 2. apply of a Deployment (2 containers, probes, env, volumes), ${APPLIES} sequential applies each changing one env value, the two kinds taking turns; ${conditions()}`);
  const warm = Math.min(20, APPLIES);
  const csa: number[] = [];
  const csaPatch: number[] = [];
  const ssa: number[] = [];
  for (let i = 1; i <= warm + APPLIES; i++) {
    const patchOnly: number[] = [];
    let t = performance.now();
    await clientSideApply(api, deployment('csa-web', i), patchOnly);
    const csaMs = performance.now() - t;
    t = performance.now();
    await serverSideApply(api, deployment('ssa-web', i));
    const ssaMs = performance.now() - t;
    if (i <= warm) continue;
    csa.push(csaMs);
    csaPatch.push(...patchOnly);
    ssa.push(ssaMs);
  }
  for (const l of [csa, csaPatch, ssa]) l.sort((a, b) => a - b);
  const row = (label: string, l: number[]) => `${label} p50 ${percentile(l, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(l, 99).toFixed(1).padStart(6)} ms`;
  console.log(row('client-side apply (GET + three-way patch + PATCH, as kubectl)', csa));
  console.log(row('  of which the strategic-merge PATCH alone                   ', csaPatch));
  console.log(row('server-side apply (one apply-patch PATCH, as kubectl)       ', ssa) +
    `   = ${((percentile(ssa, 50) / percentile(csa, 50)) * 100).toFixed(0)}% of client-side at p50, ${((percentile(ssa, 50) / percentile(csaPatch, 50)) * 100).toFixed(0)}% of its PATCH alone`);
  const kept = await api.must('GET', deployPath('ssa-web'), undefined, [200]);
  const env = (kept.spec?.template as { spec: { containers: { env?: { name: string; value: string }[] }[] } }).spec.containers[0]?.env;
  if (env?.find((e) => e.name === 'REVISION')?.value !== String(warm + APPLIES)) throw new Error('the last server-side apply is not what the object holds');
}

// ---- 3. an informer over many objects: watch-list vs LIST + WATCH ----

function memOf(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets the process's peak RSS to its current RSS (`5` into clear_refs); false where the kernel refuses. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the process's RSS stays within 4 MB for 2 s (the start's priming and history replay done), at most
 * BENCH_SETTLE_SECONDS; answers whether it settled.
 */
async function settle(pid: number): Promise<boolean> {
  const until = Date.now() + SETTLE_MS;
  let last = memOf(pid).rss;
  let stableSince = Date.now();
  while (Date.now() - stableSince < 2000) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 250));
    const now = memOf(pid).rss;
    if (Math.abs(now - last) > 4 * 2 ** 20) stableSince = Date.now();
    last = now;
  }
  return true;
}

const INFORMER_NS = 'informer';

interface InformerRun {
  client: InformerFigures;
  /** The API server's RSS once settled, before the client; its peak while the client ran; exact = VmHWM after a reset. */
  before: number;
  peak: number;
  exact: boolean;
  settled: boolean;
}

async function informerRun(dir: string, etcdEndpoint: string, mode: InformerMode): Promise<InformerRun> {
  const api = new ApiServerProcess(dir, await freePort(), etcdEndpoint);
  await api.start();
  try {
    const pid = api.proc?.pid as number;
    const settled = await settle(pid);
    const before = memOf(pid).rss;
    const exact = resetPeak(pid);
    let sampled = before;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, memOf(pid).rss);
    }, 20);
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)(process.execPath,
        [join(ROOT, 'dist/bench/informer-client.js'), mode, api.url, api.kubeconfig, `/api/v1/namespaces/${INFORMER_NS}/configmaps`, String(INFORMER_OBJECTS)],
        { maxBuffer: 2 ** 20 }));
    } finally {
      clearInterval(sampler);
    }
    const peak = exact ? memOf(pid).hwm : Math.max(sampled, memOf(pid).rss);
    return { client: JSON.parse(stdout) as InformerFigures, before, peak, exact, settled };
  } finally {
    await api.stop();
  }
}

async function informers(): Promise<void> {
  const c = await cluster('flotilla-bench-informer-');
  try {
    await (await Api.of(c.api)).must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INFORMER_NS } }, [201]);
    await c.api.stop();
    const etcd = new Etcd3({ hosts: c.etcd.endpoint });
    const t = performance.now();
    try {
      await writeConfigMaps(etcd, INFORMER_NS, INFORMER_OBJECTS, 1400, 8);
    } finally {
      etcd.close();
    }
    console.log(`\n## 3. an informer over ${INFORMER_OBJECTS} ConfigMaps of ~1.6 KB (written straight into etcd in ${((performance.now() - t) / 1000).toFixed(1)} s): a fresh API server for each start, settled, then one client process`);
    console.log(`##    watch-list = watch?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true until the initial-events-end bookmark;`);
    console.log('##    LIST = one LIST at resourceVersion=0 (the whole collection in one response) then WATCH; LIST paged = limit=500 pages (consistent reads) then WATCH;');
    console.log('##    the client keeps every object parsed in its store');
    const rows: Array<[string, InformerMode]> = [['watch-list     ', 'watch-list'], ['LIST + WATCH   ', 'list'], ['LIST paged     ', 'list-paged']];
    const results = new Map<InformerMode, InformerRun>();
    for (const [label, mode] of rows) {
      const r = await informerRun(c.dir, c.etcd.endpoint, mode);
      results.set(mode, r);
      if (r.client.stalled) {
        console.log(`${label} ${r.client.stalled};  client peak RSS ${mb(r.client.peakRss)};  API server RSS ${mb(r.before)} before, peak ${mb(r.peak)};  ${conditions()}`);
        continue;
      }
      console.log(`${label} synced in ${(r.client.syncedMs / 1000).toFixed(2).padStart(6)} s, ${mb(r.client.bytes).padStart(6)} read;  client peak RSS ${mb(r.client.peakRss).padStart(7)} (at synced ${mb(r.client.rssAtSynced)});` +
        `  API server RSS ${mb(r.before)} before, peak ${mb(r.peak).padStart(7)} (+${mb(r.peak - r.before)})${r.exact ? '' : ' [sampled every 20 ms: clear_refs refused]'}${r.settled ? '' : ' [RSS still moving when the client started]'};  ${conditions()}`);
    }
    const wl = results.get('watch-list');
    const list = results.get('list');
    if (wl && list && !wl.client.stalled && !list.client.stalled) {
      console.log(`watch-list vs LIST + WATCH: API server peak growth ${mb(wl.peak - wl.before)} vs ${mb(list.peak - list.before)}, client peak ${mb(wl.client.peakRss)} vs ${mb(list.client.peakRss)}, synced ${(wl.client.syncedMs / 1000).toFixed(2)} s vs ${(list.client.syncedMs / 1000).toFixed(2)} s`);
    }
  } finally {
    await c.stop();
  }
}

async function main(): Promise<void> {
  console.log(`# Flotilla extensions benchmark (issue 14)\n# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${mb(totalmem())} memory, node ${process.version}; etcd, the API server and the clients share it; ${conditions()}\n`);
  if (PARTS.has('1') || PARTS.has('2')) {
    const c = await cluster('flotilla-bench-ext-');
    const api = await Api.of(c.api);
    try {
      await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, [201]);
      if (PARTS.has('1')) await creates(api);
      if (PARTS.has('2')) await applies(api);
    } finally {
      api.agent.destroy();
      await c.stop();
    }
  }
  if (PARTS.has('3')) await informers();
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
});
