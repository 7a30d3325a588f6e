// The fixture of every acceptance test that needs a whole local cluster on this machine: `flotilla up` in a temp dir
// (etcd, our containerd, the CNI bridge, a local registry with the demo images, API server, controller-manager,
// scheduler, node agent) on free ports, driven with the real kubectl; `flotilla down` afterwards, which must leave no
// process and no mount of the cluster behind. `upCluster()` registers the before/after hooks of the file that calls
// it, at its top level. Needs root (containerd, runc, CNI): without it `skip` says why and nothing is started.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCgroupTree } from '../node-agent/runtime/cleanup.js';
import { KUBECTL, ROOT, apiFetch, cgroupRootOf, claimServiceRange, credentialsOf, freePorts, runFlotctl, useCredentials, waitFor, type CliRun } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface UpClusterOptions {
  /** The temp dir's prefix (`flotilla-<name>-`) and so the cluster's processes' mark. */
  name: string;
  /** The node's name (`--node-name`). */
  nodeName: string;
  /** Component logs whose tails go into failure messages. Default: the node agent's. */
  logs?: string[];
  /** Called before `flotilla up` (files the cluster reads when it starts, such as <data-dir>/token-auth.csv). */
  beforeUp?: (c: UpCluster) => void | Promise<void>;
  /** Called after the cluster is up (before any test), and before it goes down (after every test). */
  afterUp?: (c: UpCluster) => void | Promise<void>;
  beforeDown?: (c: UpCluster) => void | Promise<void>;
  /** More checks once the cluster is down (that it left nothing of its own kind behind). */
  afterDown?: (c: UpCluster) => void | Promise<void>;
  /** More `flotilla up` flags. */
  upArgs?: string[];
  /**
   * Run on Kubernetes' default service range (10.96.0.0/12: the tests of 10.96.0.1 and 10.96.0.10 themselves);
   * otherwise the cluster gets a range of its own (claimServiceRange), so no other cluster's rules answer for it.
   */
  defaultServiceRange?: boolean;
}

/** An object's condition of this type. */
export const condition = (obj: Json, type: string): Json | undefined => ((obj.status?.conditions ?? []) as Json[]).find((x) => x.type === type);

export class UpCluster {
  readonly skip: string | false = process.getuid?.() === 0 ? false : 'needs root (containerd, runc, CNI)';
  readonly dir: string;
  readonly kubeconfig: string;
  /**
   * The node agent's --cgroup-root, this cluster's own (`/flotilla-e2e-<dir>`): its pods' cgroups never share a
   * parent with another cluster's on this machine, and `flotilla down` must leave nothing under it.
   */
  readonly cgroupRoot: string;
  /** The API server's port, the local registry (`127.0.0.1:PORT`) and the tools image in it, once up. */
  port = 0;
  registry = '';
  tools = '';

  constructor(readonly o: UpClusterOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `flotilla-${o.name}-`));
    this.kubeconfig = join(this.dir, 'kubeconfig');
    this.cgroupRoot = cgroupRootOf(this.dir);
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Runs `flotilla` (bin/flotilla.js); throws with its output and the logs' tails unless it exits 0. */
  flotilla(args: string[], timeoutMs = 300_000): string {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`flotilla ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}\n${this.logTails()}`);
    return r.stdout;
  }

  /** The last lines of a component's log (<data-dir>/logs/<component>.log), headed by its name; '' when there is none. */
  logTail(component: string, lines = 20): string {
    try {
      return `--- ${component}.log (tail)\n${readFileSync(join(this.dir, 'logs', `${component}.log`), 'utf8').split('\n').slice(-lines).join('\n')}`;
    } catch {
      return '';
    }
  }

  logTails(): string {
    return (this.o.logs ?? ['node-agent']).map((c) => this.logTail(c)).filter(Boolean).join('\n');
  }

  /** A kubectl (KUBECTL, or another binary such as kubectl.1.27) with the admin kubeconfig. */
  kubectl(args: string[], input?: string | Buffer, binary = KUBECTL, timeoutMs = 240_000): Run {
    const r = spawnSync(binary, args, { input, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, KUBECONFIG: this.kubeconfig } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** kubectl that must succeed, run without blocking this process (what else the test does goes on meanwhile). */
  okAsync(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(KUBECTL, args, { encoding: 'utf8', timeout: 240_000, env: { ...process.env, KUBECONFIG: this.kubeconfig } }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed (${err.code ?? err.signal}): ${stderr}${stdout}\n${this.logTails()}`));
        else resolve(stdout);
      });
      child.stdin?.end(input);
    });
  }

  /** kubectl that must succeed: its stdout, or an error with its output and the logs' tails. */
  ok(args: string[], input?: string | Buffer, binary = KUBECTL): string {
    const r = this.kubectl(args, input, binary);
    if (r.code !== 0) throw new Error(`${binary} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}\n${this.logTails()}`);
    return r.stdout;
  }

  /**
   * GET of an API path from this process, as the admin (no kubectl process: for polls that a test repeats many
   * times). Throws on any answer but 200.
   */
  async get(path: string): Promise<Json> {
    const found = await this.find(path);
    if (found === undefined) throw new Error(`GET ${path}: 404 Not Found`);
    return found;
  }

  /** As get(), but undefined for a 404 (the object is not there). */
  async find(path: string): Promise<Json | undefined> {
    if (!this.credentialsSet) {
      useCredentials(this.url, await credentialsOf(this.kubeconfig));
      this.credentialsSet = true;
    }
    const res = await apiFetch(`${this.url}${path}`);
    const text = await res.text();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  /** A pod as the API has it now, read in-process (for polls); undefined when there is none. */
  podNow(name: string, namespace = 'default'): Promise<Json | undefined> {
    return this.find(`/api/v1/namespaces/${namespace}/pods/${name}`);
  }

  /** The pods matching a label selector, read in-process (for polls). */
  async podsNow(selector: string, namespace = 'default'): Promise<Json[]> {
    return (await this.get(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`)).items as Json[];
  }

  private credentialsSet = false;

  /** `kubectl <args> -o json`, parsed. */
  json(args: string[]): Json {
    return JSON.parse(this.ok([...args, '-o', 'json'])) as Json;
  }

  apply(manifest: string): string {
    return this.ok(['apply', '-f', '-'], manifest);
  }

  flotctl(args: string[], input?: string, env?: Record<string, string>): CliRun {
    return runFlotctl(this.kubeconfig, args, { input, env, timeout: 120_000 });
  }

  pod(name: string): Json {
    return this.json(['get', 'pod', name]);
  }

  /** The STATUS column kubectl prints for the pod. */
  podColumn(name: string): string {
    return this.ok(['get', 'pod', name, '--no-headers']).trim().split(/\s+/)[2] ?? '';
  }

  /** The events about an object (by name). */
  events(name: string): Json[] {
    return this.json(['get', 'events', '--field-selector', `involvedObject.name=${name}`]).items as Json[];
  }

  /** Polls fn every 250 ms until it gives a value; a timeout names what was awaited and adds the logs' tails. */
  async until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
    return waitFor(what, async () => fn(), timeoutMs, 250).catch((e: Error) => {
      throw new Error(`${e.message}\n${this.logTails()}`);
    });
  }

  /** Deletes a pod and waits until it is gone (the node agent has stopped everything of it). */
  async deletePod(name: string, timeoutMs = 90_000): Promise<void> {
    this.ok(['delete', 'pod', name, '--wait=false']);
    await this.until(`pod ${name} to be gone`, async () => (await this.podNow(name)) === undefined, timeoutMs);
  }

  async up(): Promise<void> {
    // A port found free can be taken by another test's process before `up` binds it; `up` checks every port before
    // it starts anything and names the holder, so that refusal is retried on other ports.
    this.shareLikeANode();
    for (let attempt = 1; ; attempt++) {
      const [port, regPort, agentPort, etcdClient, etcdPeer] = await freePorts(5) as [number, number, number, number, number];
      this.port = port;
      this.registry = `127.0.0.1:${regPort}`;
      this.tools = `${this.registry}/flotilla/tools:v1`;
      try {
        // etcd on free ports too, which later `up`s of the same data dir reuse (they are recorded in it)
        this.flotilla(['up', '--data-dir', this.dir, '--port', String(this.port), '--registry-port', String(regPort), '--node-agent-port', String(agentPort),
          '--etcd-client-port', String(etcdClient), '--etcd-peer-port', String(etcdPeer), '--node-name', this.o.nodeName, ...this.serviceRange(),
          ...(this.o.upArgs?.includes('--cgroup-root') ? [] : ['--cgroup-root', this.cgroupRoot]), ...(this.o.upArgs ?? [])]);
        return;
      } catch (e) {
        if (attempt >= 3 || !/flotilla: port \d+ .* is in use by pid/.test((e as Error).message)) throw e;
      }
    }
  }

  /**
   * On a node, kubepods sits at the root of the cpu hierarchy with the node's allocatable CPU as its shares (2048 on
   * two cores) beside the system's processes. Here it sits one level down, under this cluster's own root, which
   * would otherwise have the default 1024: the pods of a cluster would get half a node's weight against the test
   * processes of a saturated machine (the likely cause, not a proven one, of a Service test's unanswered connections
   * in CI: its pods' busybox httpd listens with a backlog of 9).
   * cgroup v1's cpu hierarchy only; elsewhere nothing is changed.
   */
  private shareLikeANode(): void {
    const dir = join('/sys/fs/cgroup/cpu', this.cgroupRoot);
    if (this.skip || this.o.upArgs?.includes('--cgroup-root') || !existsSync('/sys/fs/cgroup/cpu/cpu.shares')) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.shares'), String(1024 * availableParallelism()));
  }

  private serviceRange(): string[] {
    if (this.o.defaultServiceRange || this.o.upArgs?.includes('--service-cluster-ip-range')) return [];
    return ['--service-cluster-ip-range', claimServiceRange()];
  }

  /** The cgroups under this cluster's root, in every hierarchy mounted under /sys/fs/cgroup (`cpu:/kubepods/...`). */
  cgroupsLeft(): string[] {
    const left: string[] = [];
    const walk = (h: string, dir: string, rel: string): void => {
      let names: string[] = [];
      try {
        names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        return;
      }
      for (const n of names) {
        left.push(`${h}:${rel}/${n}`);
        walk(h, join(dir, n), `${rel}/${n}`);
      }
    };
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const root = join('/sys/fs/cgroup', h, this.cgroupRoot);
      if (existsSync(root)) walk(h, root, this.cgroupRoot);
    }
    return left;
  }

  /** `flotilla down`, then checks that no process and no mount of the cluster is left, and removes its dir. */
  async down(): Promise<void> {
    try {
      this.flotilla(['down', '--data-dir', this.dir]);
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(this.dir));
      assert.deepEqual(ps, [], 'no process of the cluster is left');
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(this.dir));
      assert.deepEqual(mounts, [], 'no mount of the cluster is left (the tmpfs of Secret volumes included)');
      assert.deepEqual(this.cgroupsLeft(), [], `no cgroup is left under ${this.cgroupRoot} (its pods' kubepods tree)`);
      await this.o.afterDown?.(this);
    } finally {
      // the root itself (and, after a failure, whatever is left under it that no process holds)
      removeCgroupTree(this.cgroupRoot);
      if (!process.env.FLOTILLA_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** A cluster brought up before the calling file's tests and down after them (when running as root). */
export function upCluster(o: UpClusterOptions): UpCluster {
  const c = new UpCluster(o);
  before(async () => {
    if (c.skip) return;
    // node:test may run a top-level hook as soon as it is registered: let the calling file finish loading first
    await new Promise((r) => setImmediate(r));
    await o.beforeUp?.(c);
    await c.up();
    await o.afterUp?.(c);
  });
  after(async () => {
    if (c.skip) {
      rmSync(c.dir, { recursive: true, force: true });
      return;
    }
    try {
      await o.beforeDown?.(c);
    } finally {
      await c.down();
    }
  });
  return c;
}
