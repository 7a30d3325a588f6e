// hostPath volumes: the type checks the kubelet makes before mounting a path of the node into a pod
// (DirectoryOrCreate and FileOrCreate create what is missing; the others require what they name).
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { VolumeSetupError } from './projection.js';

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Checks (or creates) path as `type` requires; throws VolumeSetupError with the kubelet's message. */
export function checkHostPath(path: string, type: string | undefined): void {
  const fail = (what: string): never => {
    throw new VolumeSetupError(`hostPath type check failed: ${path} is not ${what}`);
  };
  const s = stat(path);
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!s) {
        mkdirSync(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!s.isDirectory()) fail('a directory');
      return;
    case 'Directory':
      if (!s?.isDirectory()) fail('a directory');
      return;
    case 'FileOrCreate':
      if (!s) {
        // the parent must exist: FileOrCreate creates the file only, as the kubelet does
        try {
          closeSync(openSync(path, 'a', 0o644));
        } catch (e) {
          throw new VolumeSetupError(`hostPath type check failed: ${path} could not be created: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        return;
      }
      if (!s.isFile()) fail('a file');
      return;
    case 'File':
      if (!s?.isFile()) fail('a file');
      return;
    case 'Socket':
      if (!s?.isSocket()) fail('a socket file');
      return;
    case 'CharDevice':
      if (!s?.isCharacterDevice()) fail('a character device');
      return;
    case 'BlockDevice':
      if (!s?.isBlockDevice()) fail('a block device');
      return;
    default:
      throw new VolumeSetupError(`hostPath type check failed: unknown type ${type}`);
  }
}
