// The whole node runtime in one call, batteries included: a local registry with our images, and our containerd using
// it (pause image, plain-HTTP pulls, bridge pod network), all under one data dir, stopped together. Both are kept
// running: if containerd or the registry dies, it is started again with back-off (the pods' containers live on under
// their shims, and the new containerd finds them), so a crashed runtime is an outage of seconds, not of the node.
import { join } from 'node:path';
import { logger } from '../../lib/util/log.js';
import { kubepodsOf } from '../pods/cgroups.js';
import { RestartBackoff } from './backoff.js';
import { removeCgroupTree } from './cleanup.js';
import { previousSubnet } from './cni.js';
import { startContainerd, type Containerd, type ContainerdOptions } from './containerd.js';
import { buildAndPushImages, type ImageRefs } from './images.js';
import { startRegistry, type Registry } from './registry.js';
import { KeepRunning } from './restart.js';

const log = logger('runtime');

/** Options for startNodeRuntime. */
export interface NodeRuntimeOptions {
  /** Holds `registry/`, `images/` (build scratch) and `containerd/`. */
  dataDir: string;
  /** Registry port on 127.0.0.1; free one when omitted. */
  registryPort?: number;
  /** Pod network options (name, bridge, subnet); defaults from writeCniConfig. */
  cni?: ContainerdOptions['cni'];
  /** containerd log level. */
  logLevel?: ContainerdOptions['logLevel'];
  /**
   * The node agent's --cgroup-root: once containerd has drained the pods, `<cgroupRoot>/kubepods` (the pods' cgroups,
   * pods/cgroups.ts) is removed from every hierarchy. Absent: no cgroup is touched.
   */
  cgroupRoot?: string;
  /** Restart back-off for containerd and the registry. Default: 1 s doubling to 30 s. */
  backoff?: () => RestartBackoff;
}

/** A running node runtime. */
export interface NodeRuntime {
  readonly registry: Registry;
  /** The containerd running now (a new one after a restart). */
  readonly containerd: Containerd;
  /** How often containerd was restarted after it died. */
  readonly containerdRestarts: number;
  /** References of our images in the registry (pause, web v1/v2, tools). */
  images: ImageRefs;
  /** Stops containerd (draining pods, cleaning the host) and then the registry. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the registry, builds and pushes the images (if missing), then starts containerd; keeps both running. */
export async function startNodeRuntime(opts: NodeRuntimeOptions): Promise<NodeRuntime> {
  const kubepods = opts.cgroupRoot !== undefined ? kubepodsOf(opts.cgroupRoot) : undefined;
  const backoff = opts.backoff ?? (() => new RestartBackoff());
  const first = await startRegistry({ dataDir: join(opts.dataDir, 'registry'), port: opts.registryPort });
  let started = false;
  const registry = new KeepRunning('registry', async () => (started ? startRegistry({ dataDir: join(opts.dataDir, 'registry'), port: first.port }) : first),
    log, backoff());
  await registry.start();
  started = true;
  try {
    const { refs } = await buildAndPushImages({ registry: first.host, workDir: join(opts.dataDir, 'images') });
    const cniDir = join(opts.dataDir, 'containerd', 'cni', 'net.d');
    let cni = opts.cni;
    if (cni && cni.subnet === undefined && cni.name && cni.bridge) cni = { ...cni, subnet: await previousSubnet(cniDir, cni.name, cni.bridge) };
    const options: ContainerdOptions = {
      dataDir: join(opts.dataDir, 'containerd'), insecureRegistries: [first.host], sandboxImage: refs.pause, cni, logLevel: opts.logLevel,
    };
    const containerd = new KeepRunning('containerd', async () => {
      const c = await startContainerd(options);
      // a restart writes the same pod network, not a new subnet beside the pods that kept running, and a failed
      // restart leaves those pods alone
      if (c.cni && options.cni !== false) options.cni = { ...(options.cni ?? {}), name: c.cni.name, bridge: c.cni.bridge, subnet: c.cni.subnet };
      options.keepPodsOnFailure = true;
      return c;
    }, log, backoff());
    await containerd.start();
    let stopped: Promise<void> | undefined;
    return {
      get registry() { return registry.current; },
      get containerd() { return containerd.current; },
      get containerdRestarts() { return containerd.restarts; },
      images: refs,
      stop() {
        stopped ??= (async () => {
          try {
            await containerd.stop();
            // the pods are gone: their cgroups (and the QoS ones) go too, as a stopped kubelet's node leaves none
            if (kubepods) {
              const n = removeCgroupTree(kubepods);
              if (n) log.info('removed the pods\' cgroups', { cgroup: kubepods, directories: n });
            }
          } finally { await registry.stop(); }
        })();
        return stopped;
      },
    };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}
