// Test harness for the real stack: starts a real etcd and the real API server process on free loopback ports in a
// temp directory, runs the real kubectl against it, and tears everything down even when a test fails. The API server
// is the secured one (HTTPS, client certificates): every request the harness makes (request(), watchEvents(),
// apiFetch()) carries the credentials of the server it goes to, the admin's by default; as() makes other users.
import { randomInt } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimSubnet } from '../node-agent/runtime/cni.js';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';
export const FLOTCTL = join(ROOT, 'bin/flotctl.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs flotctl (`node bin/flotctl.js ARGS`) against a kubeconfig; env entries set to undefined are removed. */
export function runFlotctl(kubeconfig: string, args: string[], o: { input?: string; env?: Record<string, string | undefined>; timeout?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [FLOTCTL, ...args], { input: o.input, encoding: 'utf8', timeout: o.timeout ?? 60_000, env: { ...process.env, KUBECONFIG: kubeconfig, ...o.env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The node agent's --cgroup-root for a whole cluster whose data dir is `dir`: its own, so its pods' cgroups never
 * share a parent with another cluster's on this machine (a CPU burner elsewhere would starve them).
 */
export const cgroupRootOf = (dir: string): string => `/flotilla-e2e-${dir.replace(/\/+$/, '').split('/').pop()}`;

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

/**
 * n distinct free ports: each is held until all are found (ports asked for one at a time may come back the same, as
 * the kernel may hand out a port again once it is closed).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => res(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Polls fn every `everyMs` until it gives a value. A wait that lasts polls less often: after 2 s the interval grows
 * by half at each try, up to `growUpToMs` (1 s unless everyMs is longer). Most polls spawn kubectl, about 0.15 s of
 * CPU each: at 4 polls a second a long wait cost a whole core's share on a 2-core machine. A poll that must see a
 * short-lived state passes growUpToMs = everyMs.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100,
  growUpToMs = Math.max(everyMs, 1000)): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let interval = everyMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    if (Date.now() - started > 2000) interval = Math.min(growUpToMs, Math.max(interval, Math.round(interval * 1.5)));
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()) + 1)));
  }
}

/** How the harness reaches one API server: its CA, a client certificate and key (or a token), and a kept-alive agent. */
export interface Credentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

const credentialsByOrigin = new Map<string, { creds: Credentials; agent: HttpsAgent }>();

/** From now on, requests the harness sends to this server's origin carry these credentials. */
export function useCredentials(url: string, creds: Credentials): void {
  credentialsByOrigin.get(new URL(url).origin)?.agent.destroy();
  credentialsByOrigin.set(new URL(url).origin, { creds, agent: new HttpsAgent({ keepAlive: true, ca: creds.ca, cert: creds.cert, key: creds.key }) });
}

/** The credentials the harness uses for a server (the admin's unless useCredentials said otherwise). */
export function credentialsFor(url: string): Credentials {
  const known = credentialsByOrigin.get(new URL(url).origin);
  if (!known) throw new Error(`no credentials for ${url}: the harness did not start that server`);
  return known.creds;
}

/** A certificate from a test cluster's CA (a stand-in node agent's serving certificate, say). */
export async function issueFromClusterCA(dataDir: string, o: { commonName: string; organizations?: string[]; usage: 'client' | 'server'; ipAddresses?: string[]; dnsNames?: string[] }): Promise<{ ca: string; cert: string; key: string }> {
  const { loadCA, issue } = await import('../apiserver/auth/pki.js');
  const ca = await loadCA(readFileSync(join(dataDir, 'pki/ca.crt'), 'utf8'), readFileSync(join(dataDir, 'pki/ca.key'), 'utf8'));
  return { ca: ca.cert, ...(await issue(ca, o)) };
}

/** The credentials of a kubeconfig (the admin's, written by the API server or `flotilla up`). */
export async function credentialsOf(kubeconfig: string): Promise<Credentials> {
  const { loadKubeConfig } = await import('../lib/client/kubeconfig.js');
  const c = loadKubeConfig({ kubeconfig });
  return { ca: c.caData, cert: c.certData, key: c.keyData, token: c.token };
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/**
 * fetch() for the API servers of the tests: Node's fetch cannot present a client certificate, so this sends the
 * request with node:https (and the credentials registered for the URL's origin, or those given) and answers a
 * standard Response.
 */
export function apiFetch(url: string, init: FetchInit = {}, creds?: Credentials): Promise<Response> {
  const u = new URL(url);
  const known = credentialsByOrigin.get(u.origin);
  const c = creds ?? known?.creds ?? {};
  const headers: Record<string, string> = { ...init.headers };
  if (c.token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.Authorization = `Bearer ${c.token}`;
  const body = init.body === undefined ? undefined : Buffer.from(init.body as string | Uint8Array);
  if (body) headers['Content-Length'] = String(body.length);
  const method = init.method ?? 'GET';
  const tls = creds ? { ca: c.ca, cert: c.cert, key: c.key, agent: false as const } : { agent: known?.agent };
  return new Promise((resolve, reject) => {
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method, headers, signal: init.signal, ...(u.protocol === 'https:' ? tls : {}) }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : [v ?? '']) h.append(k, one);
      const empty = method === 'HEAD' || [204, 205, 304].includes(res.statusCode ?? 0);
      if (empty) res.resume();
      resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status: res.statusCode, statusText: res.statusMessage, headers: h }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The events of a watch URL (newline-delimited JSON over chunked HTTP), as they arrive. */
export async function* watchEvents<T = any>(url: string, signal: AbortSignal): AsyncGenerator<{ type: string; object: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await apiFetch(url, { signal });
  if (!res.ok || !res.body) throw new Error(`watch answered ${res.status}`);
  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buf += dec.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
}

/** GET /readyz (anonymous) trusting the data dir's CA: true when the server is ready. */
export async function readyz(url: string, dataDir: string): Promise<boolean> {
  const caFile = join(dataDir, 'pki/ca.crt');
  if (!existsSync(caFile) || !existsSync(join(dataDir, 'kubeconfig'))) return false;
  const r = await apiFetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }, { ca: readFileSync(caFile) });
  await r.body?.cancel();
  return r.ok;
}

function stopProcess(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      res();
    });
    p.kill(signal);
  });
}

export class Etcd {
  proc?: ChildProcess;
  endpoint = '';
  constructor(readonly dir: string, readonly clientPort: number, readonly peerPort: number) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
  }

  static async start(dir: string): Promise<Etcd> {
    const e = new Etcd(dir, await freePort(), await freePort());
    await e.start();
    return e;
  }

  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const log = openSync(join(this.dir, 'etcd.log'), 'a');
    this.proc = spawn('etcd', ['--name', 'test', '--data-dir', join(this.dir, 'etcd'), '--listen-client-urls', this.endpoint, '--advertise-client-urls', this.endpoint,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`], { stdio: ['ignore', log, log] });
    // etcd's /health over its client URL (what `etcdctl endpoint health` reads, without a process per look)
    await waitFor('etcd', async () => {
      if (this.proc?.exitCode !== null) throw new Error(`etcd exited (see ${join(this.dir, 'etcd.log')})`);
      const res = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(5000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

export class ApiServerProcess {
  proc?: ChildProcess;
  url = '';
  kubeconfig = '';
  /** nodeArgs: for node itself, before the program (bench/apiserver.ts passes --cpu-prof, which NODE_OPTIONS refuses). */
  constructor(readonly dir: string, readonly port: number, readonly etcd: string, readonly extra: string[] = [], readonly nodeArgs: string[] = []) {
    this.url = `https://127.0.0.1:${port}`;
    this.kubeconfig = join(dir, 'kubeconfig');
  }

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'apiserver.log'), 'a');
    this.proc = spawn(process.execPath, [...this.nodeArgs, join(ROOT, 'bin/flotilla.js'), 'apiserver', '--port', String(this.port), '--data-dir', this.dir, '--etcd-servers', this.etcd, ...this.extra],
      { stdio: ['ignore', log, log], env: { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'warn' } });
    await waitFor('the API server to be ready', async () => {
      if (this.proc?.exitCode !== null) throw new Error(`the API server exited: ${this.logTail()}`);
      return readyz(this.url, this.dir);
    });
    // the kubeconfig the API server wrote (its admin identity) is what every harness request uses from now on
    useCredentials(this.url, await credentialsOf(this.kubeconfig));
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'apiserver.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

/** Another flotilla component (controller-manager, scheduler, hollow-nodes) run against a test cluster. */
export class ComponentProcess {
  proc?: ChildProcess;
  constructor(readonly dir: string, readonly logName: string, readonly args: string[]) {}

  start(): void {
    const log = openSync(join(this.dir, `${this.logName}.log`), 'a');
    this.proc = spawn(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...this.args], { stdio: ['ignore', log, log], env: { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info' } });
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  logText(): string {
    try {
      return readFileSync(join(this.dir, `${this.logName}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

/** A whole test cluster: etcd + API server in one temp dir, plus any components started on it. Always call stop(). */
/** The identities the cluster's components run as (cli/credentials.ts makes the same for `flotilla up`). */
export const COMPONENT_IDENTITIES: Readonly<Record<string, string>> = {
  'controller-manager': 'system:kube-controller-manager',
  scheduler: 'system:kube-scheduler',
  'hollow-nodes': 'system:flotilla-hollow-nodes',
};

export interface HollowClusterOptions {
  count: number;
  prefix?: string;
  heartbeatSeconds?: number;
  controllerManagerArgs?: string[];
  /** Static bearer tokens the API server accepts (as TestCluster.start's). */
  tokens?: StaticToken[];
}

export class TestCluster {
  readonly components: ComponentProcess[] = [];
  /** Each component's kubeconfig: its own client certificate, so RBAC's default roles are what let it work. */
  readonly componentKubeconfigs = new Map<string, string>();
  constructor(readonly dir: string, readonly etcd: Etcd, readonly apiserver: ApiServerProcess) {}

  /** Starts `flotilla CMD --kubeconfig <its own identity's, or the admin's> ARGS...`; stop() stops it. */
  component(cmd: string, args: string[] = [], logName = cmd): ComponentProcess {
    const kubeconfig = this.componentKubeconfigs.get(cmd) ?? this.apiserver.kubeconfig;
    const c = new ComponentProcess(this.dir, logName, [cmd, '--kubeconfig', kubeconfig, ...args]);
    this.components.push(c);
    c.start();
    return c;
  }

  /**
   * tokens: static bearer tokens the API server accepts (--token-auth-file), for tests of what a token-bearing
   * client does (the dashboard's browser has no client certificate). serviceAccountAdmission: pods get a
   * ServiceAccount and its token volume, as in a real cluster; off by default, as Kubernetes' integration tests have
   * it, since no controller makes the `default` ServiceAccount unless the test starts the controller-manager.
   */
  static async start(opts: { apiserverArgs?: string[]; tokens?: StaticToken[]; serviceAccountAdmission?: boolean } = {}): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
    let etcd: Etcd | undefined;
    try {
      etcd = await Etcd.start(dir);
      const args = [...(opts.apiserverArgs ?? [])];
      if (!opts.serviceAccountAdmission) args.push('--disable-admission-plugins', 'ServiceAccount');
      if (opts.tokens?.length) args.push('--token-auth-file', writeTokenFile(join(dir, 'token-auth.csv'), opts.tokens));
      const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, args);
      await api.start();
      const cluster = new TestCluster(dir, etcd, api);
      for (const [cmd, user] of Object.entries(COMPONENT_IDENTITIES)) cluster.componentKubeconfigs.set(cmd, (await cluster.as(user)).kubeconfig);
      return cluster;
    } catch (e) {
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * A cluster whose pods land on hollow nodes: the controller-manager and the scheduler (no leader election) and
   * `count` hollow nodes named `<prefix>-N` (`hollow-node-N`) renewing their Leases every `heartbeatSeconds` (10),
   * ready before it returns. The workload files start from this.
   */
  static async startWithHollowNodes(opts: HollowClusterOptions): Promise<TestCluster> {
    const c = await TestCluster.start({ tokens: opts.tokens });
    try {
      c.component('controller-manager', ['--leader-elect=false', ...(opts.controllerManagerArgs ?? [])]);
      c.component('scheduler', ['--leader-elect=false']);
      const heartbeat = String(opts.heartbeatSeconds ?? 10);
      c.component('hollow-nodes', ['--count', String(opts.count), '--name-prefix', opts.prefix ?? 'hollow-node', '--heartbeat-interval', heartbeat]);
      await waitFor(`${opts.count} ready hollow nodes`, async () => {
        type NodeStatus = { status?: { conditions?: { type: string; status: string }[] } };
        const nodes: NodeStatus[] = (await c.request('GET', '/api/v1/nodes')).body.items ?? [];
        return nodes.filter((n) => n.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True')).length === opts.count;
      }, 60_000);
      return c;
    } catch (e) {
      await c.stop();
      throw e;
    }
  }

  get url(): string {
    return this.apiserver.url;
  }

  kubectl(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(KUBECTL, args, { input: opts.input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: this.apiserver.kubeconfig, ...opts.env } });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  flotctl(args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): CliRun {
    return runFlotctl(this.apiserver.kubeconfig, args, opts);
  }

  /** Runs kubectl and fails with its output when it exits non-zero. */
  ok(args: string[], opts: { input?: string } = {}): string {
    const r = this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return request(this.url, method, path, body, headers);
  }

  /**
   * A user with a client certificate from this cluster's CA (CN = user, O = groups): their own request(), kubectl()
   * and kubeconfig, for the tests of who may do what.
   */
  async as(user: string, groups: string[] = []): Promise<UserClient> {
    return userClient(this.dir, this.url, user, groups);
  }

  async stop(): Promise<void> {
    await Promise.all(this.components.map((c) => c.stop()));
    await this.apiserver.stop();
    await this.etcd.stop();
    if (process.env.FLOTILLA_KEEP_TEST_DIRS) process.stderr.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One line of a static token file: the token, and the user it authenticates as. */
export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups?: string[];
}

/** Writes a --token-auth-file (CSV: token,user,uid,"group1,group2"); returns its path. */
export function writeTokenFile(path: string, tokens: StaticToken[]): string {
  const line = (t: StaticToken) => [t.token, t.user, t.uid ?? t.user, `"${(t.groups ?? []).join(',')}"`].join(',');
  writeFileSync(path, tokens.map(line).join('\n') + '\n', { mode: 0o600 });
  return path;
}

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Headers;
}

/** One request to an API server, JSON in and out, with the credentials registered for it (or those given). */
export async function request(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {},
  creds?: Credentials): Promise<ApiResponse> {
  const init: FetchInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
  let r: Response;
  try {
    r = await apiFetch(url + path, init, creds);
  } catch (e) {
    // A kept-alive socket the server closed while this process was busy (a spawnSync of kubectl blocks the loop):
    // a GET is safe to send again on a new connection, as HTTP clients do.
    if (method !== 'GET') throw e;
    r = await apiFetch(url + path, init, creds);
  }
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, body: parsed, text, headers: r.headers };
}

/** A user of a test cluster with their own client certificate (TestCluster.as). */
export interface UserClient {
  user: string;
  groups: string[];
  kubeconfig: string;
  creds: Credentials;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  kubectl(args: string[], opts?: { input?: string }): CliRun;
}

/** Issues a client certificate from the data dir's CA and writes a kubeconfig for it. */
export async function userClient(dataDir: string, url: string, user: string, groups: string[] = [],
  o: { notBefore?: Date; notAfter?: Date } = {}): Promise<UserClient> {
  const [{ loadCA, issue }, { writeKubeConfig }] = await Promise.all([import('../apiserver/auth/pki.js'), import('../lib/client/kubeconfig.js')]);
  const ca = await loadCA(readFileSync(join(dataDir, 'pki/ca.crt'), 'utf8'), readFileSync(join(dataDir, 'pki/ca.key'), 'utf8'));
  const made = await issue(ca, { commonName: user, organizations: groups, usage: 'client', notBefore: o.notBefore, notAfter: o.notAfter });
  const kubeconfig = join(dataDir, `user-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}-${Date.now()}.kubeconfig`);
  writeKubeConfig(kubeconfig, { server: url, clusterName: 'flotilla', userName: user, contextName: 'flotilla', caPem: ca.cert, certPem: made.cert, keyPem: made.key });
  const creds: Credentials = { ca: Buffer.from(ca.cert), cert: Buffer.from(made.cert), key: Buffer.from(made.key) };
  return {
    user, groups, kubeconfig, creds,
    request: (method, path, body, headers) => request(url, method, path, body, headers, creds),
    kubectl: (args, opts = {}) => {
      const r = spawnSync(KUBECTL, args, { input: opts.input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/**
 * A service range of the calling test file's own (`10.251.X.0/24`, claimed machine-wide as pod subnets are): every
 * cluster on this machine installs its Services' rules in the host's nftables, and two clusters on the default
 * 10.96.0.0/12 answer for each other's 10.96.0.1 and 10.96.0.10 (a pod of one asking the other's DNS). Separate
 * hosts would not share rules; on one host each cluster gets its own range. `flotilla up` takes it as
 * `--service-cluster-ip-range`.
 */
export function claimServiceRange(): string {
  const start = randomInt(0, 256);
  for (let i = 0; i < 256; i++) {
    const x = (start + i) % 256;
    if (claimSubnet(`svc-10.251.${x}.0`)) return `10.251.${x}.0/24`;
  }
  throw new Error('no free 10.251.X.0/24 service range');
}
