// Restart at scale (issue 19, item 3): 100,000 ConfigMaps (~150 MB) written straight into the embedded etcd as the
// API server stores them, then the API server SIGKILLed and started again over them: its start time (process start
// to /readyz ok, split into etcd's start and the cache's priming) and RSS, beside a raw etcd read of the same data
// in the same run (the floor the priming is measured against). Run alone: `node dist/bench/restart-at-scale.js`;
// BENCH_OBJECTS sets the number of objects.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { EmbeddedApiServer, writeConfigMaps } from '../e2e/embedded.js';

const COUNT = Number(process.env.BENCH_OBJECTS ?? '100000');
const PAYLOAD = 1400; // with the envelope, a ~1.6 KB object, as in ENVIRONMENT.md's etcd figure
const NS = 'scale';
const PREFIX = `/registry/core/configmaps/${NS}/`;

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function rss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The timestamp of the first log line matching re. */
function at(log: string, re: RegExp): number {
  const line = log.split('\n').find((l) => re.test(l));
  return line ? Date.parse((JSON.parse(line) as { ts: string }).ts) : NaN;
}

/** Every key under the prefix in pages of `limit` at one revision; with decode, each value parsed as the cache does. */
async function rawRead(client: Etcd3, limit: number, decode: boolean): Promise<{ ms: number; keys: number; bytes: number }> {
  const t = performance.now();
  const rev = Number((await client.get('/flotilla/revision-probe').exec()).header.revision);
  let start = PREFIX;
  let keys = 0;
  let bytes = 0;
  for (;;) {
    const res = await client.getAll().inRange({ start, end: '/registry/core/configmaps/scale0' }).revision(rev).limit(limit).exec();
    for (const kv of res.kvs) {
      bytes += kv.key.length + kv.value.length;
      if (decode) JSON.parse(kv.value.toString('utf8'));
    }
    keys += res.kvs.length;
    const last = res.kvs[res.kvs.length - 1];
    if (!res.more || !last) break;
    start = last.key.toString('utf8') + '\0';
  }
  return { ms: performance.now() - t, keys, bytes };
}

async function restart(s: EmbeddedApiServer): Promise<void> {
  await s.kill('SIGKILL');
  const t = performance.now();
  const wall = Date.now();
  await s.start(600_000);
  const ready = performance.now() - t;
  const pid = s.proc?.pid as number;
  const atReady = rss(pid);
  const log = s.log();
  const etcdMs = at(log, /embedded etcd ready/) - wall;
  const primeMs = at(log, /watch cache primed/) - at(log, /embedded etcd ready/);
  // the history replay (the window's revisions, here every write) streams in after the server is ready
  const h = performance.now();
  let replayed = true;
  while (!/watch history replayed|starts without history/.test(s.log())) {
    if (performance.now() - h > 120_000) {
      replayed = false;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const afterHistory = rss(pid);
  const l = performance.now();
  const list = await s.request('GET', `/api/v1/namespaces/${NS}/configmaps`);
  const listMs = performance.now() - l;
  if (list.status !== 200 || list.body.items.length !== COUNT) throw new Error(`list after restart: ${list.status}, ${list.body?.items?.length} items`);
  const afterList = rss(pid);
  console.log(`  process start -> /readyz ok     ${secs(ready).padStart(9)}   (etcd answering after ${secs(etcdMs)}, the cache primed ${secs(primeMs)} later; then bootstrap and listen)`);
  console.log(`  RSS at ready                   ${mb(atReady.rss).padStart(9)}`);
  console.log(`  RSS after the history replay   ${mb(afterHistory.rss).padStart(9)}   (${/starts without history/.test(s.log()) ? 'replay cut off at its timeout' : replayed ? `replayed in ${secs(at(s.log(), /watch history replayed/) - at(s.log(), /watch cache primed/))}` : 'replay still running after 120 s'})`);
  console.log(`  GET all ${COUNT} from the cache  ${secs(listMs).padStart(9)}   RSS after it ${mb(afterList.rss)}, peak ${mb(afterList.peak)}`);
}

async function main(): Promise<void> {
  const etcdVersion = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`Restart at scale: ${COUNT} ConfigMaps of ~${PAYLOAD + 200} bytes written straight into the embedded etcd (${etcdVersion}),`);
  console.log(`then the API server SIGKILLed and started again over them. Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB.`);
  const s = await EmbeddedApiServer.create();
  try {
    await s.start();
    if ((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status !== 201) throw new Error('namespace');
    const client = s.etcdClient();
    try {
      const w = performance.now();
      await writeConfigMaps(client, NS, COUNT, PAYLOAD, 8);
      const writeMs = performance.now() - w;
      console.log(`  written in ${secs(writeMs)} (transactions of 100, 8 in flight: ${(COUNT / (writeMs / 1000)).toFixed(0)} objects/s)`);
      await rawRead(client, 500, false); // warms etcd's caches, as the API server's own start will find them
      const paged = await rawRead(client, 500, false);
      const decoded = await rawRead(client, 500, true);
      const one = await rawRead(client, 0, false);
      console.log(`  etcd holds                     ${mb(paged.bytes).padStart(9)}   (${paged.keys} keys)`);
      console.log(`  raw etcd read, pages of 500    ${secs(paged.ms).padStart(9)}   (the same + JSON.parse of each: ${secs(decoded.ms)}; one unbounded range: ${secs(one.ms)})`);
    } finally {
      client.close();
    }
    console.log('first restart:');
    await restart(s);
    console.log('second restart:');
    await restart(s);
  } finally {
    await s.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
