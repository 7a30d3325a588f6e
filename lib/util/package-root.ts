import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * This installation's directory (the one holding bin/flotilla.js and package.json), found by walking up from the
 * calling module's URL: the same answer whether the module runs as its own file under dist/, from a bundle in
 * dist/bundle/, or from source. Files shipped beside the code (the CRI's api.proto, the images' files, the
 * dashboard's assets) are named from here.
 */
export function packageRoot(moduleUrl: string): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'flotilla.js'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`no Flotilla installation (package.json beside bin/flotilla.js) above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}
