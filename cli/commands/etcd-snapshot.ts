// `flotilla etcd-snapshot save|ls|restore`: backups of a local cluster's etcd (see ../etcd-snapshot.ts).
import { dataDirFlag, type Command } from './command.js';
import type { FlagSpec, Flags } from '../flags.js';

const dirFlag: FlagSpec = { name: 'dir', type: 'string', value: 'DIR', help: 'where snapshots are kept', defaultText: '<data-dir>/snapshots' };
const dirOf = async (f: Flags) => f.string('dir') ?? (await import('../etcd-snapshot.js')).snapshotDirOf(f.string('data-dir') as string);

export const etcdSnapshotSave: Command = {
  spec: {
    name: 'etcd-snapshot save',
    summary: "Take a snapshot of the cluster's etcd (etcd's snapshot API) into the snapshot dir",
    description: 'The file is <dir>/<name>-<unix seconds>.db, the format "etcdctl snapshot save" writes. The cluster keeps running.',
    flags: [
      dataDirFlag('the cluster whose etcd is saved'),
      { name: 'name', type: 'string', value: 'NAME', help: "the snapshot's name, before its timestamp", default: 'on-demand' },
      dirFlag,
      { name: 'etcd-servers', type: 'string', value: 'URL[,URL]', help: 'save this etcd instead of the data dir\'s embedded one' },
    ],
  },
  async run(f) {
    const { etcdEndpointsOf, saveSnapshot } = await import('../etcd-snapshot.js');
    const servers = f.string('etcd-servers')?.split(',').map((s) => s.trim()).filter(Boolean);
    const endpoints = servers?.length ? servers : etcdEndpointsOf(f.string('data-dir') as string);
    const s = await saveSnapshot({ endpoints, dir: await dirOf(f), name: f.string('name') });
    process.stdout.write(`Snapshot ${s.name} saved: ${s.path} (${s.size} bytes)\n`);
  },
};

export const etcdSnapshotLs: Command = {
  spec: {
    name: 'etcd-snapshot ls',
    summary: 'List the snapshots of the snapshot dir: name, location, size, creation time',
    flags: [dataDirFlag('the cluster whose snapshots are listed'), dirFlag],
  },
  async run(f) {
    const { listSnapshots, snapshotTable } = await import('../etcd-snapshot.js');
    process.stdout.write(snapshotTable(listSnapshots(await dirOf(f))));
  },
};

export const etcdSnapshotRestore: Command = {
  spec: {
    name: 'etcd-snapshot restore',
    summary: "Restore a snapshot into the data dir's etcd (cluster stopped); the next \"flotilla up\" serves it",
    description: `The cluster must be down ("flotilla down"). The etcd directory it replaces is kept as
<data-dir>/etcd.before-restore-<unix seconds>. Uses "etcdctl snapshot restore" (Debian's etcd-client).`,
    args: { usage: 'FILE', min: 1, max: 1 },
    flags: [dataDirFlag('the cluster to restore into')],
  },
  async run(f) {
    const { restoreSnapshot } = await import('../etcd-snapshot.js');
    const r = await restoreSnapshot({ dataDir: f.string('data-dir') as string, file: f.positionals[0] as string });
    process.stdout.write(`Restored into ${r.etcdDir}${r.previous ? `; the previous etcd data is in ${r.previous}` : ''}. Start the cluster with "flotilla up".\n`);
  },
};
