// `flotilla etcd-snapshot save|ls|restore` (what `k3s etcd-snapshot` does): a snapshot of the cluster's etcd through
// etcd's Maintenance.Snapshot stream (the etcd3 client's; the bytes are what `etcdctl snapshot save` writes, the
// backend plus its sha256, so `etcdctl snapshot status|restore` read them), the snapshots of a data dir listed, and a
// snapshot restored into the data dir's etcd directory (the cluster stopped; the old directory kept aside) so that
// the next `flotilla up` serves the restored state. Restore runs Debian 12's `etcdctl snapshot restore` (etcd 3.4 has
// no etcdutl) with the member name, peer URL and cluster token the embedded etcd starts with.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';
import { readMember } from '../apiserver/etcd/member.js';
import { findEtcds } from '../apiserver/etcd/stale.js';
import { readClusterConfig } from './cluster.js';
import { alive } from './supervisor/procfs.js';
import { pidFile, readPid } from './supervisor/state.js';

export const snapshotDirOf = (dataDir: string): string => join(resolve(dataDir), 'snapshots');
const SUFFIX = '.db';

/** The client URLs of the data dir's embedded etcd: the port its etcd.json records, else cluster.json's. */
export function etcdEndpointsOf(dataDir: string): string[] {
  const d = resolve(dataDir);
  const port = readMember(join(d, 'etcd.json')).clientPort ?? readClusterConfig(d)?.etcdClientPort;
  if (!port) throw new Error(`no etcd recorded in ${d} (neither etcd.json nor cluster.json names its port): has this cluster ever started?`);
  return [`http://127.0.0.1:${port}`];
}

export interface SavedSnapshot {
  name: string;
  path: string;
  size: number;
}

/** A snapshot name: letters, digits, '-', '_', '.', not starting with '.' (it names a file in the snapshot dir). */
export function checkName(name: string): string {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(name)) throw new Error(`invalid snapshot name ${JSON.stringify(name)}: use letters, digits, '-', '_' and '.'`);
  return name;
}

/**
 * Streams a snapshot of the etcd at `endpoints` into `<dir>/<name>-<unix seconds>.db` (written under a temporary name
 * and renamed once complete, so a failed save leaves no half snapshot that `ls` would list).
 */
export async function saveSnapshot(opts: { endpoints: string[]; dir: string; name?: string; now?: Date }): Promise<SavedSnapshot> {
  const name = `${checkName(opts.name ?? 'on-demand')}-${Math.floor((opts.now ?? new Date()).getTime() / 1000)}`;
  mkdirSync(opts.dir, { recursive: true });
  const path = join(resolve(opts.dir), `${name}${SUFFIX}`);
  if (existsSync(path)) throw new Error(`${path} exists already`);
  const part = `${path}.part`;
  const client = new Etcd3({ hosts: opts.endpoints, dialTimeout: 5_000 });
  const out = createWriteStream(part, { mode: 0o600 });
  try {
    const stream = await client.maintenance.snapshot();
    await new Promise<void>((done, fail) => {
      stream.on('data', (chunk) => {
        if (chunk.blob?.length) out.write(chunk.blob);
      });
      stream.on('error', fail);
      stream.on('end', () => done());
    });
    out.end();
    await once(out, 'finish');
    if (statSync(part).size === 0) throw new Error('etcd sent an empty snapshot');
    renameSync(part, path);
  } catch (e) {
    out.destroy();
    rmSync(part, { force: true });
    throw new Error(`snapshot of ${opts.endpoints.join(',')} failed: ${(e as Error).message}`);
  } finally {
    client.close();
  }
  return { name, path, size: statSync(path).size };
}

export interface SnapshotFile {
  name: string;
  path: string;
  size: number;
  created: Date;
}

/** The snapshots in dir, oldest first. */
export function listSnapshots(dir: string): SnapshotFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => {
      const path = join(resolve(dir), f);
      const st = statSync(path);
      return { name: f.slice(0, -SUFFIX.length), path, size: st.size, created: st.mtime };
    })
    .sort((a, b) => a.created.getTime() - b.created.getTime() || a.name.localeCompare(b.name));
}

/** `ls` as a table: Name, Location, Size (bytes), Created (RFC 3339), as `k3s etcd-snapshot ls` prints. */
export function snapshotTable(files: SnapshotFile[]): string {
  const rows = [['Name', 'Location', 'Size', 'Created'], ...files.map((f) => [f.name, `file://${f.path}`, String(f.size), f.created.toISOString().replace(/\.\d{3}Z$/, 'Z')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

/** Why the cluster of dataDir is not down (its supervisor or its etcd runs), or undefined when it is. */
export function runningReason(dataDir: string): string | undefined {
  const d = resolve(dataDir);
  const sup = readPid(pidFile(d, 'supervisor'));
  if (sup && alive(sup)) return `the cluster in ${d} is running (supervisor pid ${sup})`;
  const etcds = findEtcds(join(d, 'etcd'), join(d, 'etcd.pid'));
  if (etcds.length) return `the etcd of ${d} is running (pid ${etcds.join(', ')})`;
  return undefined;
}

export interface Restored {
  /** Where the etcd directory that was replaced went (undefined: there was none). */
  previous?: string;
  etcdDir: string;
}

/**
 * Restores `file` into <dataDir>/etcd, keeping the directory it replaces as <dataDir>/etcd.before-restore-<unix s>.
 * Refuses while the cluster (or its etcd) runs: etcd would keep serving, then overwrite, the old state.
 */
export async function restoreSnapshot(opts: { dataDir: string; file: string; etcdctl?: string; now?: Date }): Promise<Restored> {
  const d = resolve(opts.dataDir);
  const file = resolve(opts.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`no snapshot file ${file}`);
  const running = runningReason(d);
  if (running) throw new Error(`${running}: stop it first ("flotilla down --data-dir ${d}"), then restore`);
  const member = readMember(join(d, 'etcd.json'));
  if (!member.peerPort || !member.identity) throw new Error(`${join(d, 'etcd.json')} records no etcd (peer port and cluster identity): restore into the data dir of a cluster that has started once`);
  const etcdDir = join(d, 'etcd');
  const staging = join(d, `etcd.restoring-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  // the same member name, peer URL and cluster token as the embedded etcd (apiserver/etcd/embedded.ts) starts with
  const peer = `http://127.0.0.1:${member.peerPort}`;
  const args = ['snapshot', 'restore', file, '--data-dir', staging, '--name', 'flotilla', '--initial-cluster', `flotilla=${peer}`,
    '--initial-advertise-peer-urls', peer, '--initial-cluster-token', `flotilla-${member.identity}`];
  const result = await runTool(opts.etcdctl ?? 'etcdctl', args, { ...process.env, ETCDCTL_API: '3' });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`etcdctl snapshot restore ${basename(file)} failed (exit ${result.code}): ${result.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  let previous: string | undefined;
  if (existsSync(etcdDir)) {
    previous = join(d, `etcd.before-restore-${Math.floor((opts.now ?? new Date()).getTime() / 1000)}`);
    renameSync(etcdDir, previous);
  }
  renameSync(staging, etcdDir);
  return { previous, etcdDir };
}

function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (b: Buffer) => (output += b.toString()));
    p.stderr.on('data', (b: Buffer) => (output += b.toString()));
    p.on('error', (e) => done({ code: 127, output: e.message }));
    p.on('close', (code) => done({ code: code ?? 1, output }));
  });
}
