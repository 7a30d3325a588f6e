// The termination message of an exited container, as the kubelet reads it: the file the container wrote at its
// terminationMessagePath (a per-container file on the node bind-mounted there; at most 4096 bytes), or - with
// `FallbackToLogsOnError`, when that file is empty and the container failed - the end of its log (the last 80
// lines, at most 2048 bytes). Exited containers don't change, so a message is read once per container.
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerStatus } from '../cri/types.js';
import { parseCriLog } from '../server/logs.js';
import { containerDir } from './volumes/paths.js';

export const MAX_MESSAGE_BYTES = 4096;
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;
/** Annotation on a container: its termination message file on the node. */
export const ANNOTATION_TERMINATION_LOG = 'flotilla.io/termination-message-host-path';
export const ANNOTATION_TERMINATION_POLICY = 'io.kubernetes.container.terminationMessagePolicy';

/** A new empty file for one container instance's termination message (writable by any user in the container). */
export function newTerminationLog(podsDir: string, uid: string, container: string): string {
  const dir = containerDir(podsDir, uid, container);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, randomBytes(4).toString('hex'));
  writeFileSync(path, '');
  chmodSync(path, 0o666);
  return path;
}

function readHead(path: string, max: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The last lines of a CRI-format log file (at most `lines` lines and `bytes` bytes). */
export function logTail(path: string, lines = FALLBACK_LOG_LINES, bytes = FALLBACK_LOG_BYTES): string {
  let text: string;
  try {
    // enough of the end for 80 lines of CRI framing around 2 KiB of text
    const size = statSync(path).size;
    const want = Math.min(size, 64 * 1024);
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(want);
    readSync(fd, buf, 0, want, size - want);
    closeSync(fd);
    text = buf.toString('utf8');
    if (want < size) text = text.slice(text.indexOf('\n') + 1);
  } catch {
    return '';
  }
  const { lines: parsed } = parseCriLog(text.endsWith('\n') ? text : `${text}\n`, {});
  let out = parsed.slice(-lines).map((l) => `${l.text}\n`).join('');
  const b = Buffer.from(out, 'utf8');
  if (b.length > bytes) out = b.subarray(b.length - bytes).toString('utf8');
  return out;
}

export class TerminationMessages {
  private readonly cache = new Map<string, string>();

  /** The message of an exited container ('' when none); the runtime's own message is kept in front of it. */
  of(s: ContainerStatus): string {
    if (s.state !== 'CONTAINER_EXITED') return s.message;
    const hit = this.cache.get(s.id);
    if (hit !== undefined) return hit;
    const file = s.annotations[ANNOTATION_TERMINATION_LOG];
    let msg = file ? readHead(file, MAX_MESSAGE_BYTES) : '';
    const fallback = s.annotations[ANNOTATION_TERMINATION_POLICY] === 'FallbackToLogsOnError' && s.exitCode !== 0 && s.reason !== 'StartError';
    if (!msg && fallback && s.logPath) msg = logTail(s.logPath);
    const full = s.message && msg ? `${s.message}: ${msg}` : s.message || msg;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(s.id, full);
    return full;
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.cache.delete(id);
  }
}
