// The whole node runtime in one call, batteries included: a local registry with our images, and our containerd using
// it (pause image, plain-HTTP pulls, bridge pod network), all under one data dir, stopped together.
import { join } from 'node:path';
import { startContainerd, type Containerd, type ContainerdOptions } from './containerd.js';
import { buildAndPushImages, type ImageRefs } from './images.js';
import { startRegistry, type Registry } from './registry.js';

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
}

/** A running node runtime. */
export interface NodeRuntime {
  registry: Registry;
  containerd: Containerd;
  /** References of our images in the registry (pause, web v1/v2, tools). */
  images: ImageRefs;
  /** Stops containerd (draining pods, cleaning the host) and then the registry. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the registry, builds and pushes the images (if missing), then starts containerd. */
export async function startNodeRuntime(opts: NodeRuntimeOptions): Promise<NodeRuntime> {
  const registry = await startRegistry({ dataDir: join(opts.dataDir, 'registry'), port: opts.registryPort });
  try {
    const { refs } = await buildAndPushImages({ registry: registry.host, workDir: join(opts.dataDir, 'images') });
    const c = await startContainerd({
      dataDir: join(opts.dataDir, 'containerd'),
      insecureRegistries: [registry.host],
      sandboxImage: refs.pause,
      cni: opts.cni,
      logLevel: opts.logLevel,
    });
    let stopped: Promise<void> | undefined;
    return {
      registry, containerd: c, images: refs,
      stop() {
        stopped ??= (async () => {
          try { await c.stop(); } finally { await registry.stop(); }
        })();
        return stopped;
      },
    };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}
