// The host mounts pod volumes need: tmpfs for emptyDir `medium: Memory`, Secret and projected volumes (their data
// never touches the node's disk, as with the kubelet), and unmounting everything under a pod's directory when it
// goes. Behind an interface so unit tests can run without root.
import { readFileSync } from 'node:fs';
import { mountsUnder, unmountAllUnder } from '../../runtime/cleanup.js';
import { run } from '../../runtime/proc.js';

export interface Mounter {
  /** Mounts a tmpfs on dir (mode 0777 like an emptyDir), of at most sizeBytes when given. */
  mountTmpfs(dir: string, sizeBytes?: number): Promise<void>;
  /** True when something is mounted exactly on dir. */
  isMountPoint(dir: string): boolean;
  /** Mount points at or below dir. */
  mountsUnder(dir: string): string[];
  /** Unmounts everything at or below dir (deepest first); returns the mount points. */
  unmountAllUnder(dir: string): Promise<string[]>;
}

/** Decodes /proc/self/mountinfo's octal escapes (`\040` for a space). */
const unescape = (p: string): string => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** The real kernel's mounts, through mount(8) and umount(8). */
export const hostMounter: Mounter = {
  async mountTmpfs(dir, sizeBytes) {
    const opts = ['mode=0777', ...(sizeBytes && sizeBytes > 0 ? [`size=${Math.ceil(sizeBytes)}`] : [])].join(',');
    const r = await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
    if (r.code !== 0) throw new Error(`mount -t tmpfs on ${dir} failed: ${(r.stderr || r.stdout).trim()}`);
  },
  isMountPoint(dir) {
    const base = dir.replace(/\/+$/, '');
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => unescape(l.split(' ')[4] ?? '') === base);
  },
  mountsUnder(dir) {
    return mountsUnder(dir);
  },
  unmountAllUnder(dir) {
    return mountsUnder(dir).length ? unmountAllUnder(dir) : Promise.resolve([]);
  },
};
