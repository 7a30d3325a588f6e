// What the pod benchmarks share: running the flotilla CLI, a process's CPU and memory from /proc, and the time each
// pod takes from its creation to a state, as one watch sees them (the same clock for every pod).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, apiFetch, waitFor, watchEvents } from '../e2e/harness.js';
import type { KubeObject } from '../lib/api/types.js';

export function flotilla(args: string[]): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`flotilla ${args.join(' ')}: ${r.stderr}${r.stdout}`);
}

/** CPU seconds (user + system) a process has used, and its resident memory. */
export function processUsage(pid: number): { cpu: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: (Number(f[11]) + Number(f[12])) / 100, rssMiB: rss ? Number(rss[1]) / 1024 : NaN };
}

export const isRunning = (p: KubeObject): boolean => p.status?.phase === 'Running';
export const isReady = (p: KubeObject): boolean =>
  ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * ms from "created" (the first event of each pod) to the first event where reached(pod) holds, for `count` pods of
 * the default namespace matching selector, which create() makes.
 */
export async function timesUntil(
  api: string, selector: string, count: number, reached: (p: KubeObject) => boolean, create: () => Promise<void>,
): Promise<number[]> {
  const list = (await (await apiFetch(`${api}/api/v1/namespaces/default/pods?limit=1`)).json()) as { metadata: { resourceVersion: string } };
  const abort = new AbortController();
  const created = new Map<string, number>();
  const done = new Map<string, number>();
  const q = `watch=true&labelSelector=${encodeURIComponent(selector)}&resourceVersion=${list.metadata.resourceVersion}`;
  const watching = (async () => {
    for await (const ev of watchEvents(`${api}/api/v1/namespaces/default/pods?${q}`, abort.signal)) {
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
      const uid = ev.object.metadata.uid as string;
      const now = performance.now();
      if (!created.has(uid)) created.set(uid, now);
      if (reached(ev.object) && !done.has(uid)) done.set(uid, now);
    }
  })().catch(() => undefined);
  await create();
  await waitFor(`${count} pods`, async () => done.size >= count, 300_000, 50);
  abort.abort();
  await watching;
  return [...done].map(([uid, t]) => t - (created.get(uid) as number));
}
