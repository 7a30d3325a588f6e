// A container's CRI mounts from its volumeMounts: the volume's directory on the node (or, with subPath/subPathExpr,
// a path inside it, resolved through symlinks and required to stay inside the volume), read-only as asked or as the
// volume type requires, with the mount propagation asked for; plus the pod's /etc/hosts and the container's
// termination message file, as the kubelet adds them.
import { mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Mount, MountPropagation } from '../../cri/types.js';
import { ContainerConfigError, expand } from '../env.js';
import type { ContainerSpec, VolumeMount } from '../spec.js';
import type { PodVolume } from './manager.js';

const PROPAGATION: Record<string, MountPropagation> = { HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER', Bidirectional: 'PROPAGATION_BIDIRECTIONAL' };

function checkSubPath(sub: string, what: string): void {
  if (sub.startsWith('/')) throw new ContainerConfigError(`${what} ${sub} must be a relative path`);
  if (sub.split('/').includes('..')) throw new ContainerConfigError(`${what} ${sub} must not contain '..'`);
}

/**
 * The host path for a subPath of a volume: created (as a directory) when missing, then resolved through symlinks -
 * a configMap key resolves to the file of the version current now, which is why such a mount does not change when
 * the ConfigMap does - and refused if it leads out of the volume.
 */
function subPathHost(volume: PodVolume, sub: string): string {
  const root = realpathSync(volume.hostPath);
  const target = join(volume.hostPath, sub);
  let resolved: string;
  try {
    resolved = realpathSync(target);
  } catch {
    mkdirSync(target, { recursive: true, mode: 0o755 });
    resolved = realpathSync(target);
  }
  if (resolved !== root && !resolved.startsWith(root + sep)) throw new ContainerConfigError(`subpath "${sub}" not within volume path "${root}"`);
  return resolved;
}

export interface ExtraFiles {
  /** The pod's managed hosts file, mounted at /etc/hosts. */
  hostsFile?: string;
  /** The container's termination message file, mounted at its terminationMessagePath. */
  terminationLog?: string;
}

/** CRI mounts for container c; throws ContainerConfigError for a missing volume or a bad subPath. */
export function containerMounts(c: ContainerSpec, volumes: Map<string, PodVolume>, env: Map<string, string>, extra: ExtraFiles = {}): Mount[] {
  const out: Mount[] = [];
  for (const vm of (c.volumeMounts ?? []) as VolumeMount[]) {
    const v = volumes.get(vm.name);
    if (!v) throw new ContainerConfigError(`cannot find volume "${vm.name}" to mount into container "${c.name}"`);
    let sub = vm.subPath ?? '';
    if (vm.subPathExpr) {
      sub = expand(vm.subPathExpr, env);
      checkSubPath(sub, 'subPathExpr');
    } else if (sub) checkSubPath(sub, 'subPath');
    out.push({
      containerPath: vm.mountPath,
      hostPath: sub ? subPathHost(v, sub) : v.hostPath,
      readonly: !!vm.readOnly || v.readOnly,
      propagation: PROPAGATION[vm.mountPropagation ?? ''] ?? 'PROPAGATION_PRIVATE',
    });
  }
  const taken = new Set(out.map((m) => m.containerPath.replace(/\/+$/, '')));
  if (extra.hostsFile && !taken.has('/etc/hosts')) out.push({ containerPath: '/etc/hosts', hostPath: extra.hostsFile, readonly: false });
  const tm = c.terminationMessagePath;
  if (extra.terminationLog && tm && !taken.has(tm)) out.push({ containerPath: tm, hostPath: extra.terminationLog, readonly: false });
  return out;
}
