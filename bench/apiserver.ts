// npm run bench (API server part): create throughput and latency at 1, 16 and 64 concurrent clients beside raw etcd
// puts of the same bytes through the same etcd3 client, gets/lists served from the watch cache, and how fast one
// change reaches 1,000 open watches. The creates and reads run twice in the same run: against a plain-HTTP server
// whose callers are all system:masters (bench/plain-apiserver.ts), and against `flotilla apiserver` over HTTPS as a
// client-certificate user whom RBAC lets in (a RoleBinding), so the cost of TLS + authentication + RBAC shows beside
// the plain figures. Raw puts and creates alternate in slices of each row, so load from elsewhere weighs on both
// alike. The plain creates run once more against a server with --etcd-group-commit=all (concurrent writes
// sent to etcd as one transaction), beside raw puts in that run too. Everything runs on this machine in one script;
// conditions (the load average included: other work may share the cores) are printed.
// BENCH_APISERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is given to node for every API server this
// starts: Node refuses --cpu-prof in NODE_OPTIONS.
import { spawn } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent, request } from 'node:https';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ApiServerProcess, Etcd, ROOT, credentialsOf, freePort, userClient, waitFor } from '../e2e/harness.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? '5') * 1000;
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? '1000');
const VALUE = 'x'.repeat(1400); // with the envelope, a ~1.6 KB object as in ENVIRONMENT.md's etcd figure
const NODE_ARGS = (process.env.BENCH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Result {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** Latencies and seconds of runs not summed up yet (several slices of one row). */
interface Samples {
  lat: number[];
  seconds: number;
  /** The next operation's number (object names), across slices. */
  next: number;
}

const samples = (): Samples => ({ lat: [], seconds: 0, next: 0 });

/** Runs op from `concurrency` callers for ms, adding to s. */
async function runInto(s: Samples, concurrency: number, op: (i: number) => Promise<void>, ms: number): Promise<void> {
  const start = performance.now();
  const end = start + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await op(s.next++);
      s.lat.push(performance.now() - t);
    }
  }));
  s.seconds += (performance.now() - start) / 1000;
}

function summary(s: Samples): Result {
  const lat = [...s.lat].sort((a, b) => a - b);
  return { ops: lat.length, seconds: s.seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

async function run(concurrency: number, op: (i: number) => Promise<void>): Promise<Result> {
  const s = samples();
  await runInto(s, concurrency, op, DURATION_MS);
  return summary(s);
}

/**
 * A create row beside its baseline: raw puts and API creates alternate in SLICES slices each, so that a change in
 * what else runs on the machine (other work shares the cores) weighs on both alike.
 */
const SLICES = 5;
type Op = (i: number) => Promise<void>;
async function sideBySide(concurrency: number, rawOp: Op, apiOp: Op): Promise<{ raw: Result; api: Result }> {
  const raw = samples();
  const api = samples();
  for (let i = 0; i < SLICES; i++) {
    await runInto(raw, concurrency, rawOp, DURATION_MS / SLICES);
    await runInto(api, concurrency, apiOp, DURATION_MS / SLICES);
  }
  return { raw: summary(raw), api: summary(api) };
}

const fmt = (r: Result) => `${(r.ops / r.seconds).toFixed(0).padStart(7)} ops/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms`;

/** Where the load goes: a port, and the agent (plain HTTP, or HTTPS with the client's certificate) that keeps connections alive. */
interface Target {
  port: number;
  agent: Agent | HttpAgent;
}

function send(t: Target, o: RequestOptions, cb: (res: IncomingMessage) => void): ClientRequest {
  const opts = { host: '127.0.0.1', port: t.port, agent: t.agent, ...o };
  return t.agent instanceof Agent ? request(opts, cb) : httpRequest(opts, cb);
}

function http(t: Target, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = send(t, { method, path, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const body = (ns: string, name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { bench: 'yes' } }, data: { v: VALUE } });

interface Figures {
  creates: Map<number, { raw: Result; api: Result }>;
  gets: Map<number, Result>;
  lists: Map<number, Result>;
  /** The load average (1, 5, 15 min) when the rows were done. */
  load: string;
}

/** The create and read rows against one server (and raw etcd puts on its etcd); with reads false, the creates only. */
async function measure(t: Target, raw: Etcd3, label: string, ns = { write: 'default', list: 'kube-public' }, reads = true): Promise<Figures> {
  const f: Figures = { creates: new Map(), gets: new Map(), lists: new Map(), load: '' };
  for (const conc of [1, 16, 64]) {
    f.creates.set(conc, await sideBySide(conc, async (i) => {
      await raw.put(`/bench/raw-${label}-${conc}-${i}`).value(body('default', `raw-${i}`));
    }, async (i) => {
      const r = await http(t, 'POST', `/api/v1/namespaces/${ns.write}/configmaps`, body(ns.write, `c${conc}-${i}`));
      if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.body}`);
    }));
  }
  f.load = load();
  if (!reads) return f;
  for (const conc of [16, 64]) {
    f.gets.set(conc, await run(conc, async (i) => {
      const r = await http(t, 'GET', `/api/v1/namespaces/${ns.write}/configmaps/c1-${i % 50}`);
      if (r.status !== 200) throw new Error(`get answered ${r.status}`);
    }));
  }
  await Promise.all(Array.from({ length: 100 }, (_, i) => http(t, 'POST', `/api/v1/namespaces/${ns.list}/configmaps`, body(ns.list, `l-${i}`))));
  for (const conc of [16, 64]) {
    f.lists.set(conc, await run(conc, async () => {
      const r = await http(t, 'GET', `/api/v1/namespaces/${ns.list}/configmaps?resourceVersion=0`);
      if (r.status !== 200) throw new Error(`list answered ${r.status}`);
    }));
  }
  return f;
}

const rate = (r: Result) => r.ops / r.seconds;
const versus = (secured: Result, plain: Result) => `${((rate(secured) / rate(plain)) * 100).toFixed(0).padStart(4)}% of plain`;

function print(plain: Figures, grouped: Figures, secured: Figures, masters: Figures): void {
  console.log('## creates (ConfigMap, ~1.6 KB) vs raw etcd puts of the same bytes');
  console.log('## plain = HTTP, every caller system:masters; grouped = plain with --etcd-group-commit=all; secured = HTTPS + client certificate + RBAC (a RoleBinding); masters = HTTPS + client certificate in system:masters (RBAC not asked)');
  console.log(`## load average when done (1, 5, 15 min): plain ${plain.load}; grouped ${grouped.load}; secured ${secured.load}; masters ${masters.load}`);
  for (const [conc, s] of secured.creates) {
    const p = plain.creates.get(conc) as { raw: Result; api: Result };
    const g = grouped.creates.get(conc) as { raw: Result; api: Result };
    const m = masters.creates.get(conc) as { raw: Result; api: Result };
    console.log(`clients ${String(conc).padStart(2)}  raw etcd put   ${fmt(s.raw)}`);
    console.log(`            plain create   ${fmt(p.api)}   = ${((rate(p.api) / rate(p.raw)) * 100).toFixed(0)}% of raw (raw in its run ${rate(p.raw).toFixed(0)}/s)`);
    console.log(`            grouped create ${fmt(g.api)}   = ${((rate(g.api) / rate(g.raw)) * 100).toFixed(0)}% of raw (raw in its run ${rate(g.raw).toFixed(0)}/s), ${versus(g.api, p.api)}`);
    console.log(`            secured create ${fmt(s.api)}   = ${((rate(s.api) / rate(s.raw)) * 100).toFixed(0)}% of raw, ${versus(s.api, p.api)}`);
    console.log(`            masters create ${fmt(m.api)}   ${versus(m.api, p.api)}`);
  }
  console.log('\n## reads served from the watch cache (resourceVersion unset: consistent reads)');
  for (const [what, pick] of [['GET one object  ', (f: Figures) => f.gets], ['LIST 100 objects', (f: Figures) => f.lists]] as const) {
    for (const [conc, s] of pick(secured)) {
      const p = pick(plain).get(conc) as Result;
      const m = pick(masters).get(conc) as Result;
      console.log(`clients ${String(conc).padStart(2)}  ${what} plain   ${fmt(p)}`);
      console.log(`                            secured ${fmt(s)}  ${versus(s, p)}`);
      console.log(`                            masters ${fmt(m)}  ${versus(m, p)}`);
    }
  }
}

/** A plain server's run: its own etcd and data dir, so no run sees another's objects. */
async function plainRun(groupCommit: 'none' | 'all' = 'none'): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-plain-'));
  const etcd = await Etcd.start(dir);
  const port = await freePort();
  const proc = spawn(process.execPath, [...NODE_ARGS, join(ROOT, 'dist/bench/plain-apiserver.js'), String(port), dir, etcd.endpoint, groupCommit],
    { stdio: 'ignore', env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' } });
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 2000 });
  const raw = new Etcd3({ hosts: etcd.endpoint });
  try {
    await waitFor('the plain API server', async () => (await http({ port, agent }, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200, 30_000, 100);
    return await measure({ port, agent }, raw, `plain-${groupCommit}`, undefined, groupCommit === 'none');
  } finally {
    raw.close();
    agent.destroy();
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A client-certificate user allowed by RBAC (a Role on ConfigMaps, bound in the namespaces the benchmark uses). */
async function benchUser(admin: Target, dir: string, url: string): Promise<Target> {
  for (const ns of ['default', 'kube-public', 'kube-node-lease']) {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'bench' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch'] }] };
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bench' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bench' }, subjects: [{ kind: 'User', name: 'bench-user' }] };
    for (const [res, obj] of [['roles', role], ['rolebindings', binding]] as const) {
      const r = await http(admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/${res}`, JSON.stringify(obj));
      if (r.status !== 201) throw new Error(`${res} answered ${r.status}: ${r.body}`);
    }
  }
  const user = await userClient(dir, url, 'bench-user');
  const agent = new Agent({ keepAlive: true, maxSockets: 2000, ca: user.creds.ca, cert: user.creds.cert, key: user.creds.key });
  const t: Target = { port: admin.port, agent };
  await waitFor('the bench user bound', async () => (await http(t, 'GET', '/api/v1/namespaces/default/configmaps?limit=1')).status === 200, 10_000, 100);
  return t;
}

async function main(): Promise<void> {
  console.log(`# Flotilla API server benchmark\n# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server and this load generator share the machine; keep-alive connections; ${DURATION_MS / 1000} s per row; load average at the start ${load()}\n`);
  const plain = await plainRun();
  const grouped = await plainRun('all');
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'));
  const etcd = await Etcd.start(dir);
  const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, ['--watch-bookmark-interval', '3600'], NODE_ARGS);
  await api.start();
  const port = Number(new URL(api.url).port);
  // the admin's client certificate from the kubeconfig the server wrote sets up the bench user and runs the watches
  const creds = await credentialsOf(api.kubeconfig);
  const agent = new Agent({ keepAlive: true, maxSockets: 2000, ca: creds.ca, cert: creds.cert, key: creds.key });
  const admin: Target = { port, agent };
  const raw = new Etcd3({ hosts: etcd.endpoint });
  let user: Target | undefined;
  try {
    user = await benchUser(admin, dir, api.url);
    const secured = await measure(user, raw, 'secured');
    for (const ns of ['bench-masters', 'bench-masters-list']) await http(admin, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    const masters = await measure(admin, raw, 'masters', { write: 'bench-masters', list: 'bench-masters-list' });
    print(plain, grouped, secured, masters);
    console.log(`\n## one change reaching ${WATCHERS} open watches (HTTPS, the admin's certificate)`);
    const cur = JSON.parse((await http(admin, 'GET', '/api/v1/namespaces/kube-node-lease/configmaps')).body).metadata.resourceVersion as string;
    const waiting = new Map<string, Array<(t: number) => void>>();
    let ready = 0;
    const watcher = admin;
    const sockets = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<ClientRequest>((resolve) => {
      const req = send(watcher, { path: `/api/v1/namespaces/kube-node-lease/configmaps?watch=true&resourceVersion=${cur}` }, (res) => {
        ready++;
        let buf = '';
        res.on('data', (c: Buffer) => {
          const t = performance.now();
          buf += c.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i));
            buf = buf.slice(i + 1);
            const name = ev.object?.metadata?.name as string;
            const w = waiting.get(name);
            w?.shift()?.(t);
          }
        });
        resolve(req);
      });
      // a watch the server ends (a hang-up under load) is reported, not a crash
      req.on('error', (e) => console.error(`a watch failed: ${e.message}`));
      req.end();
    })));
    while (ready < WATCHERS) await new Promise((r) => setTimeout(r, 50));
    const delays: number[] = [];
    for (let round = 0; round < 10; round++) {
      const name = `fan-${round}`;
      const arrivals: Promise<number>[] = [];
      const resolvers: Array<(t: number) => void> = [];
      for (let i = 0; i < WATCHERS; i++) arrivals.push(new Promise((r) => resolvers.push(r)));
      waiting.set(name, resolvers);
      const t0 = performance.now();
      await http(admin, 'POST', '/api/v1/namespaces/kube-node-lease/configmaps', body('kube-node-lease', name));
      for (const t of await Promise.all(arrivals)) delays.push(t - t0);
    }
    delays.sort((a, b) => a - b);
    console.log(`${WATCHERS} watches x 10 changes: write-to-delivery p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${(delays[delays.length - 1] ?? 0).toFixed(1)} ms`);
    for (const s of sockets) s.destroy();
  } finally {
    raw.close();
    agent.destroy();
    user?.agent.destroy();
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
