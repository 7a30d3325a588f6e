// Builds Flotilla's own OCI images from the host's static busybox with umoci (no internet, no docker) and pushes them
// to a registry with skopeo: the sandbox `pause`, the demo `flotilla/web` (v1, v2) and `flotilla/tools`.
// The files that go into the images live in scripts/images/.
import { existsSync, mkdirSync, rmSync, writeFileSync, chmodSync, copyFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runOk } from './proc.js';
import { packageRoot } from '../../lib/util/package-root.js';

/** Repository and tag of each image, relative to the registry host. */
export const IMAGE_NAMES = {
  pause: 'pause:3.9',
  webV1: 'flotilla/web:v1',
  webV2: 'flotilla/web:v2',
  tools: 'flotilla/tools:v1',
  toolsLatest: 'flotilla/tools:latest',
} as const;

/** Full references (`HOST/NAME:TAG`) of the images in a registry. */
export type ImageRefs = { -readonly [K in keyof typeof IMAGE_NAMES]: string };

/** Options for buildAndPushImages. */
export interface BuildImagesOptions {
  /** Registry host, `127.0.0.1:PORT`, reached over plain HTTP. */
  registry: string;
  /** Scratch directory for the OCI layout and root filesystems (reused and overwritten). */
  workDir: string;
  /** Rebuild and push even when every tag is already in the registry. Default false. */
  force?: boolean;
  /** Static busybox to put in the images. Default `/bin/busybox`. */
  busybox?: string;
}

/** The result of buildAndPushImages. */
export interface BuildImagesResult {
  refs: ImageRefs;
  /** Names (`pause:3.9`, ...) that were built and pushed now; empty when all were already there. */
  pushed: string[];
}

/** The references images get in `registry`, without building anything. */
export function imageRefs(registry: string): ImageRefs {
  const out = {} as ImageRefs;
  for (const [k, v] of Object.entries(IMAGE_NAMES) as [keyof ImageRefs, string][]) out[k] = `${registry}/${v}`;
  return out;
}

/** scripts/images/ of this installation. */
function filesDir(): string {
  const p = join(packageRoot(import.meta.url), 'scripts', 'images');
  if (!existsSync(join(p, 'base', 'idle'))) throw new Error(`${p} is missing (the images' files ship with Flotilla)`);
  return p;
}

/** True when `name:tag` has a manifest in the registry. */
export async function registryHasImage(registry: string, nameTag: string): Promise<boolean> {
  const i = nameTag.lastIndexOf(':');
  const res = await fetch(`http://${registry}/v2/${nameTag.slice(0, i)}/manifests/${nameTag.slice(i + 1)}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.ok;
}

function baseRootfs(dir: string, busybox: string, files: string, applets: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var/tmp']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'var/tmp'), 0o1777);
  chmodSync(join(dir, 'root'), 0o700);
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const a of applets) if (a !== 'busybox' && /^[\w.[\]-]+$/.test(a)) symlinkSync('busybox', join(dir, 'bin', a));
  copyFileSync(join(files, 'base/idle'), join(dir, 'bin/idle'));
  chmodSync(join(dir, 'bin/idle'), 0o755);
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

function layerDir(dir: string, files: Record<string, { from?: string; text?: string }>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, src] of Object.entries(files)) {
    const dest = join(dir, path);
    mkdirSync(join(dest, '..'), { recursive: true });
    if (src.from) {
      copyFileSync(src.from, dest);
      chmodSync(dest, 0o755);
    } else {
      writeFileSync(dest, src.text ?? '');
    }
  }
}

interface ImageSpecBuild {
  names: string[];
  layer?: string;
  config: string[];
}

/**
 * Builds the pause, web (v1, v2) and tools images and pushes them to `registry`. Idempotent: when every tag is
 * already in the registry nothing is built (unless `force`). Needs umoci and skopeo on PATH.
 */
export async function buildAndPushImages(opts: BuildImagesOptions): Promise<BuildImagesResult> {
  const refs = imageRefs(opts.registry);
  const all = Object.values(IMAGE_NAMES) as string[];
  if (!opts.force) {
    const present = await Promise.all(all.map((n) => registryHasImage(opts.registry, n)));
    if (present.every(Boolean)) return { refs, pushed: [] };
  }
  const work = resolve(opts.workDir);
  const files = filesDir();
  const busybox = opts.busybox ?? '/bin/busybox';
  mkdirSync(work, { recursive: true });
  const layout = join(work, 'oci');
  rmSync(layout, { recursive: true, force: true });

  const applets = (await runOk(busybox, ['--list'])).split('\n').filter(Boolean);
  baseRootfs(join(work, 'rootfs-base'), busybox, files, applets);
  layerDir(join(work, 'layer-web-v1'), { 'bin/web-start': { from: join(files, 'web/web-start') }, 'etc/flotilla-web-version': { text: 'v1\n' } });
  layerDir(join(work, 'layer-web-v2'), { 'bin/web-start': { from: join(files, 'web/web-start') }, 'etc/flotilla-web-version': { text: 'v2\n' } });
  layerDir(join(work, 'layer-tools'), { 'bin/memhog': { from: join(files, 'tools/memhog') } });

  await runOk('umoci', ['init', '--layout', layout]);
  await runOk('umoci', ['new', '--image', `${layout}:base`]);
  await runOk('umoci', ['insert', '--image', `${layout}:base`, '--history.comment', 'busybox', join(work, 'rootfs-base'), '/']);
  await runOk('umoci', ['config', '--image', `${layout}:base`, '--config.env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--config.workingdir', '/']);

  const builds: ImageSpecBuild[] = [
    { names: [IMAGE_NAMES.pause], config: ['--config.entrypoint', '/bin/idle', '--config.stopsignal', 'SIGTERM'] },
    { names: [IMAGE_NAMES.webV1], layer: 'layer-web-v1', config: ['--config.entrypoint', '/bin/web-start', '--config.exposedports', '8080/tcp'] },
    { names: [IMAGE_NAMES.webV2], layer: 'layer-web-v2', config: ['--config.entrypoint', '/bin/web-start', '--config.exposedports', '8080/tcp'] },
    { names: [IMAGE_NAMES.tools, IMAGE_NAMES.toolsLatest], layer: 'layer-tools', config: ['--config.cmd', '/bin/idle'] },
  ];
  const pushed: string[] = [];
  for (const b of builds) {
    const tag = (b.names[0] as string).replace(/[/:]/g, '-');
    await runOk('umoci', ['config', '--image', `${layout}:base`, '--tag', tag, ...b.config]);
    if (b.layer) await runOk('umoci', ['insert', '--image', `${layout}:${tag}`, join(work, b.layer), '/']);
    for (const name of b.names) {
      await runOk('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${opts.registry}/${name}`], { timeoutMs: 120_000 });
      pushed.push(name);
    }
  }
  return { refs, pushed };
}
