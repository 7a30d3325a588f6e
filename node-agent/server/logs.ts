// Container logs as `kubectl logs` wants them, read from the CRI log files containerd writes
// ("2024-01-02T03:04:05.123456789Z stdout F text"; P marks a partial line continued by the next entry):
// tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, and follow until the container stops.
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
}

export interface LogLine {
  time: string;
  text: string;
}

/** Parses CRI log content into whole lines (partials joined). Returns the unparsed remainder. */
export function parseCriLog(chunk: string, pending: { partial?: LogLine }): { lines: LogLine[]; rest: string } {
  const lines: LogLine[] = [];
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf('\n', start);
    if (nl < 0) break;
    const raw = chunk.slice(start, nl);
    start = nl + 1;
    const a = raw.indexOf(' ');
    const b = raw.indexOf(' ', a + 1);
    const c = raw.indexOf(' ', b + 1);
    if (a < 0 || b < 0) continue;
    const time = raw.slice(0, a);
    const tag = c < 0 ? raw.slice(b + 1) : raw.slice(b + 1, c);
    const text = c < 0 ? '' : raw.slice(c + 1);
    if (tag === 'P') {
      pending.partial = { time: pending.partial?.time ?? time, text: (pending.partial?.text ?? '') + text };
      continue;
    }
    lines.push({ time: pending.partial?.time ?? time, text: (pending.partial?.text ?? '') + text });
    pending.partial = undefined;
  }
  return { lines, rest: chunk.slice(start) };
}

function format(l: LogLine, timestamps: boolean): string {
  return timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`;
}

/** Waits ms, or less if the client leaves. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when out can take more, or when writing is over (closed, or the client left). */
function drained(out: Writable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (signal.aborted || out.destroyed) return resolve();
    out.once('drain', done);
    out.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Writes the log at path to out. With follow, keeps polling the file for new lines until stillRunning() says the
 * container stopped (then drains what's left) or the client goes away (signal).
 */
export async function streamLog(path: string, o: LogOptions, out: Writable, stillRunning: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let offset = 0;
    let rest = '';
    let written = 0;
    const pending: { partial?: LogLine } = {};
    let first = true;
    const emit = async (lines: LogLine[]): Promise<boolean> => {
      for (const l of lines) {
        if (signal.aborted) return false;
        if (o.sinceMs !== undefined && Date.parse(l.time) < o.sinceMs) continue;
        const s = format(l, o.timestamps);
        if (o.limitBytes !== undefined && written + Buffer.byteLength(s) > o.limitBytes) {
          out.write(Buffer.from(s).subarray(0, o.limitBytes - written));
          return false;
        }
        written += Buffer.byteLength(s);
        // a client that reads slowly holds the reading back instead of filling the agent's memory
        if (!out.write(s)) await drained(out, signal);
      }
      return true;
    };
    for (;;) {
      if (signal.aborted) return;
      const size = (await stat(path)).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const parsed = parseCriLog(rest + buf.subarray(0, bytesRead).toString('utf8'), pending);
        rest = parsed.rest;
        let lines = parsed.lines;
        if (first && o.tailLines !== undefined) lines = o.tailLines === 0 ? [] : lines.slice(-o.tailLines);
        first = false;
        if (!(await emit(lines))) return;
      } else first = false;
      if (!o.follow || signal.aborted) return;
      if (!(await stillRunning())) {
        // one last read for what the container wrote just before it stopped
        if ((await stat(path)).size === offset) return;
        continue;
      }
      await pause(200, signal);
    }
  } finally {
    await fh.close();
  }
}
