// Disk used by a directory tree (the blocks its files occupy, as du counts them): the eviction check of emptyDir
// volumes with a sizeLimit. Never follows symlinks or crosses into what is mounted below.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function diskUsageBytes(dir: string): number {
  let total = 0;
  let dev: number | undefined;
  const walk = (p: string): void => {
    let s;
    try {
      s = lstatSync(p);
    } catch {
      return;
    }
    if (dev === undefined) dev = s.dev;
    else if (s.dev !== dev) return;
    total += s.blocks * 512;
    if (!s.isDirectory()) return;
    let names: string[] = [];
    try {
      names = readdirSync(p);
    } catch {
      return;
    }
    for (const n of names) walk(join(p, n));
  };
  walk(dir);
  return total;
}
