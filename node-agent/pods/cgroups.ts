// The kubelet's pod cgroup hierarchy (cgroupfs driver) under the node's --cgroup-root:
//   <root>/kubepods                      cpu.shares = the node's allocatable cpu
//   <root>/kubepods/burstable            cpu.shares = the Burstable pods' cpu requests
//   <root>/kubepods/besteffort           cpu.shares = 2
//   <root>/kubepods[/<qos>]/pod<uid>     cpu.shares = the pod's cpu request; a CFS quota when every container has a limit
// A sandbox is run with linux.cgroupParent = the pod's cgroup, so containerd puts the sandbox and each container at
// <pod cgroup>/<container id>. Without it every container of every node on one machine shares one cgroup
// (containerd's /k8s.io), where a container with a cpu request (shares 102 for 100m) starves every one without
// (shares 2) on any node; under kubepods a node gets its own slice of the machine, split by QoS class and request.
// The agent only writes cpu settings (into the cpu hierarchy on cgroup v1, as cpu.weight and cpu.max on v2); runc
// creates the other hierarchies' directories for the containers, and removal takes the pod's directory out of every
// hierarchy where it exists. Failures to write are logged, never fatal: a pod runs, only less fairly.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { MIN_SHARES, milliCPUToShares, podCpuConfig, podCpuRequestMilli, qosClassOf, sharesToWeight, type PodCpuConfig, type QOSClass } from './qos.js';

const log = logger('node-agent');

export const CGROUP_MOUNT = '/sys/fs/cgroup';
const KUBEPODS = 'kubepods';
const QOS_DIRS: Record<QOSClass, string> = { Guaranteed: '', Burstable: 'burstable', BestEffort: 'besteffort' };

export interface PodCgroupsOptions {
  /** The kubelet's --cgroup-root: an absolute cgroup path (`/` by default). */
  cgroupRoot: string;
  /** Where the cgroup hierarchies are mounted (/sys/fs/cgroup); tests give a temp dir. */
  mountPoint?: string;
  /** The node's allocatable cpu, in millicores: the shares of kubepods. */
  allocatableMilliCPU: number;
  /** The pods bound here that still run or may (not Succeeded or Failed): the Burstable ones make burstable's shares. */
  activePods: () => readonly KubeObject[];
  /**
   * Removes one cgroup directory (rmdir; the kernel drops its interface files with it). Tests standing in a temp dir
   * for the cgroup mount remove the files the agent wrote first.
   */
  rmdir?: (dir: string) => void;
}

/** Checks a --cgroup-root: absolute, no `.` or `..` segments; returns it without trailing slashes (`/` as ''). */
export function normalizeCgroupRoot(root: string): string {
  if (!root.startsWith('/')) throw new Error(`--cgroup-root must be an absolute cgroup path, like /flotilla: ${JSON.stringify(root)}`);
  const parts = root.split('/').filter(Boolean);
  if (parts.some((p) => p === '.' || p === '..')) throw new Error(`--cgroup-root must not contain . or .. segments: ${JSON.stringify(root)}`);
  return parts.length ? `/${parts.join('/')}` : '';
}

/** `<root>/kubepods` for a --cgroup-root. */
export const kubepodsOf = (cgroupRoot: string): string => `${normalizeCgroupRoot(cgroupRoot)}/${KUBEPODS}`;

export class PodCgroups {
  /** The normalized root ('' for `/`). */
  readonly root: string;
  readonly mountPoint: string;
  /** cgroup v2 (unified hierarchy mounted at the mount point), else v1 (one hierarchy per controller under it). */
  readonly v2: boolean;
  private readonly rmdir: (dir: string) => void;
  /** Failures already logged (path: message), so a read-only cgroupfs doesn't fill the log every sync. */
  private readonly warned = new Set<string>();

  constructor(private readonly o: PodCgroupsOptions) {
    this.root = normalizeCgroupRoot(o.cgroupRoot);
    this.mountPoint = o.mountPoint ?? CGROUP_MOUNT;
    this.v2 = existsSync(join(this.mountPoint, 'cgroup.controllers'));
    this.rmdir = o.rmdir ?? rmdirSync;
  }

  /** `<root>/kubepods`. */
  get kubepods(): string {
    return `${this.root}/${KUBEPODS}`;
  }

  /** The cgroup a QoS class's pods go under (Guaranteed ones right under kubepods). */
  qosCgroup(qos: QOSClass): string {
    return QOS_DIRS[qos] ? `${this.kubepods}/${QOS_DIRS[qos]}` : this.kubepods;
  }

  /** The pod's cgroup, as the sandbox's linux.cgroupParent: `<root>/kubepods[/burstable|/besteffort]/pod<uid>`. */
  podCgroup(pod: KubeObject): string {
    return `${this.qosCgroup(qosClassOf(pod))}/pod${pod.metadata.uid as string}`;
  }

  /**
   * Before a pod's sandbox runs: the QoS cgroups brought up to date (this pod counted), then the pod's own cgroup
   * with its shares (and quota). Returns the pod cgroup, the sandbox's cgroupParent.
   */
  ensurePod(pod: KubeObject): string {
    this.updateQOS([pod]);
    const path = this.podCgroup(pod);
    this.writeCpu(path, podCpuConfig(pod));
    return path;
  }

  /**
   * kubepods gets the node's allocatable cpu, burstable the Burstable pods' requests, besteffort the minimum; as pods
   * come and go. `also`: pods to count that may not be in the active list yet.
   */
  updateQOS(also: readonly KubeObject[] = []): void {
    const pods = new Map<string, KubeObject>();
    for (const p of [...this.o.activePods(), ...also]) pods.set(p.metadata.uid as string, p);
    let burstable = 0;
    for (const p of pods.values()) if (qosClassOf(p) === 'Burstable') burstable += podCpuRequestMilli(p);
    this.writeCpu(this.kubepods, { shares: milliCPUToShares(this.o.allocatableMilliCPU) });
    this.writeCpu(this.qosCgroup('Burstable'), { shares: milliCPUToShares(burstable) });
    this.writeCpu(this.qosCgroup('BestEffort'), { shares: MIN_SHARES });
  }

  /** Removes the pod's cgroup (its empty children first) from every hierarchy; one still in use stays. */
  removePod(uid: string): void {
    for (const h of this.hierarchies()) {
      for (const qos of Object.keys(QOS_DIRS) as QOSClass[]) {
        const dir = join(h, this.qosCgroup(qos), `pod${uid}`);
        if (existsSync(dir)) this.removeTree(dir);
      }
    }
  }

  /** The uids that have a pod cgroup in some hierarchy. */
  podUids(): Set<string> {
    const uids = new Set<string>();
    for (const h of this.hierarchies()) {
      for (const qos of Object.keys(QOS_DIRS) as QOSClass[]) {
        for (const name of subdirs(join(h, this.qosCgroup(qos)))) if (name.startsWith('pod')) uids.add(name.slice(3));
      }
    }
    return uids;
  }

  /** Removes the cgroups of pods not in `keep` (gone while the agent was down, or missed); returns their uids. */
  cleanupOrphans(keep: ReadonlySet<string>): string[] {
    const gone = [...this.podUids()].filter((u) => !keep.has(u));
    for (const uid of gone) this.removePod(uid);
    return gone;
  }

  /** Removes the whole `<root>/kubepods` tree from every hierarchy (the node is going away; its pods are gone). */
  removeAll(): void {
    for (const h of this.hierarchies()) {
      const dir = join(h, this.kubepods);
      if (existsSync(dir)) this.removeTree(dir);
    }
  }

  /** The mounted hierarchies: the mount point on v2; on v1 each directory under it, once (cpu -> cpu,cpuacct). */
  hierarchies(): string[] {
    if (this.v2) return [this.mountPoint];
    const seen = new Set<string>();
    const out: string[] = [];
    for (const name of safeReaddir(this.mountPoint)) {
      const p = join(this.mountPoint, name);
      try {
        if (!statSync(p).isDirectory()) continue;
        const real = realpathSync(p);
        if (seen.has(real)) continue;
        seen.add(real);
        out.push(p);
      } catch {
        // gone or unreadable
      }
    }
    return out;
  }

  /** The hierarchy the cpu settings go to. */
  private cpuHierarchy(): string {
    return this.v2 ? this.mountPoint : join(this.mountPoint, 'cpu');
  }

  /** Creates the cgroup (and its parents) in the cpu hierarchy and writes its cpu settings. */
  private writeCpu(cgroup: string, cfg: PodCpuConfig): void {
    const base = this.cpuHierarchy();
    let dir = base;
    try {
      for (const part of cgroup.split('/').filter(Boolean)) {
        // v2: a child has cpu.weight only where its parent delegates the cpu controller
        if (this.v2) this.enableCpu(dir);
        dir = join(dir, part);
        if (!existsSync(dir)) mkdirSync(dir);
      }
    } catch (e) {
      this.warn(dir, 'cannot create the cgroup', e);
      return;
    }
    if (this.v2) {
      this.write(join(dir, 'cpu.weight'), String(sharesToWeight(cfg.shares)));
      if (cfg.quotaUs !== undefined) this.write(join(dir, 'cpu.max'), `${cfg.quotaUs} ${cfg.periodUs}`);
    } else {
      this.write(join(dir, 'cpu.shares'), String(cfg.shares));
      if (cfg.quotaUs !== undefined) {
        this.write(join(dir, 'cpu.cfs_period_us'), String(cfg.periodUs));
        this.write(join(dir, 'cpu.cfs_quota_us'), String(cfg.quotaUs));
      }
    }
  }

  private enableCpu(dir: string): void {
    const file = join(dir, 'cgroup.subtree_control');
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // not there yet (a test's temp dir): write it
    }
    if (!current.split(/\s+/).includes('cpu')) this.write(file, '+cpu');
  }

  private write(file: string, value: string): void {
    try {
      writeFileSync(file, value);
    } catch (e) {
      this.warn(file, `cannot write ${value}`, e);
    }
  }

  /** rmdir of dir's subdirectories, deepest first, then of dir; a busy one (processes in it) stays. */
  private removeTree(dir: string): void {
    for (const name of subdirs(dir)) this.removeTree(join(dir, name));
    try {
      this.rmdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') log.debug('cgroup not removed', { dir, error: (e as Error).message });
    }
  }

  private warn(path: string, what: string, e: unknown): void {
    const key = `${path}: ${(e as Error).message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    log.warn(`pod cgroups: ${what}`, { path, error: (e as Error).message });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
