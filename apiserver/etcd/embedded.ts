// The embedded default: without --etcd-servers the API server runs Debian's etcd as a child process under its data
// directory, waits for it to answer, and stops it when the API server stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { logger } from '../../lib/util/log.js';

const log = logger('etcd');

export interface EmbeddedEtcdOptions {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  binary?: string;
}

export class EmbeddedEtcd {
  private proc?: ChildProcess;
  private exited?: Promise<void>;
  readonly endpoint: string;

  constructor(private readonly opts: EmbeddedEtcdOptions) {
    this.endpoint = `http://127.0.0.1:${opts.clientPort}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const dir = join(this.opts.dataDir, 'etcd');
    mkdirSync(dir, { recursive: true });
    const peer = `http://127.0.0.1:${this.opts.peerPort}`;
    const out = openSync(join(this.opts.dataDir, 'etcd.log'), 'a');
    const proc = spawn(this.opts.binary ?? 'etcd', [
      '--name', 'flotilla',
      '--data-dir', dir,
      '--listen-client-urls', this.endpoint,
      '--advertise-client-urls', this.endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `flotilla=${peer}`,
      '--auto-compaction-mode', 'periodic',
      '--auto-compaction-retention', '1h',
    ], { stdio: ['ignore', out, out] });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let failed: Error | undefined;
    proc.once('error', (e) => { failed = e; });
    proc.once('exit', (code) => { failed ??= new Error(`etcd exited with code ${code}; see ${join(this.opts.dataDir, 'etcd.log')}`); });
    const client = new Etcd3({ hosts: this.endpoint, dialTimeout: 1000 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (failed) throw failed;
        try {
          await client.get('health').exec();
          log.info('embedded etcd ready', { endpoint: this.endpoint, dataDir: dir, pid: proc.pid });
          return;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`etcd did not answer on ${this.endpoint} within ${timeoutMs} ms: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
