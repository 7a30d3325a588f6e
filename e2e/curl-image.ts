// An image with an HTTPS client, for tests that call the API server from inside a pod: the cluster's tools image
// (static busybox) plus the host's /usr/bin/curl and the shared libraries `ldd` lists for it, copied to the same
// paths, built with umoci and pushed to the cluster's local registry with skopeo (as node-agent/runtime/images.ts
// builds the demo images). The images have no HTTPS client of their own: busybox's wget needs NSS, and has no TLS.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Builds `<registry>/flotilla/curl:v1` from `tools` (the cluster's tools image) in workDir; returns its reference. */
export function buildCurlImage(registry: string, tools: string, workDir: string): string {
  const rootfs = join(workDir, 'curl-rootfs');
  const files = ['/usr/bin/curl', ...[...run('ldd', ['/usr/bin/curl']).matchAll(/(\/\S+)/g)].map((m) => m[1] as string)];
  for (const f of new Set(files)) {
    mkdirSync(join(rootfs, dirname(f)), { recursive: true });
    copyFileSync(f, join(rootfs, f)); // follows symlinks: the library's file under the name the loader asks for
  }
  const layout = join(workDir, 'curl-oci');
  run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${tools}`, `oci:${layout}:curl`]);
  run('umoci', ['insert', '--image', `${layout}:curl`, rootfs, '/']);
  const ref = `${registry}/flotilla/curl:v1`;
  run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:curl`, `docker://${ref}`]);
  return ref;
}
