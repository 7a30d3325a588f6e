// A local OCI registry for the node runtime: Debian's docker-registry (CNCF distribution 2.8) serving plain HTTP on
// 127.0.0.1, storing blobs under the data dir. containerd pulls our pause and demo images from it. With `htpasswd`
// users it asks for basic auth (distribution's htpasswd auth, bcrypt hashes): a private registry to test pull
// secrets against.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort, isRunning, spawnLogged, stopChild, waitFor } from './proc.js';
import type { Exit } from './restart.js';

/** Options for startRegistry. */
export interface RegistryOptions {
  /** Directory for the config, storage (`DATA/storage`) and log (`DATA/registry.log`). */
  dataDir: string;
  /** Port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** The registry binary. Default `/usr/bin/docker-registry`. */
  binary?: string;
  /** How long to wait for `/v2/` to answer. Default 20 s. */
  startTimeoutMs?: number;
  /** Users allowed in (basic auth over htpasswd); none: anyone may pull and push. */
  htpasswd?: Array<{ username: string; password: string }>;
}

/** A running registry. */
export interface Registry {
  /** `127.0.0.1:PORT`: the host part of image references (`127.0.0.1:PORT/pause:3.9`). */
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly logFile: string;
  /** The child process id. */
  readonly pid: number | undefined;
  /** Resolves when the registry process has exited. */
  readonly exited: Promise<Exit>;
  /** Stops the registry (SIGTERM, SIGKILL after 10 s). Storage stays on disk. Idempotent. */
  stop(): Promise<void>;
}

/** An htpasswd file as distribution reads it: `user:bcrypt-hash` lines. */
export function htpasswdFile(users: Array<{ username: string; password: string }>): string {
  return users.map((u) => `${u.username}:${bcrypt.hashSync(u.password, 10)}\n`).join('');
}

function configYaml(storage: string, port: number, htpasswdPath?: string): string {
  const auth = htpasswdPath ? ['auth:', '  htpasswd:', '    realm: flotilla', `    path: ${JSON.stringify(htpasswdPath)}`] : [];
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storage)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...auth,
    '',
  ].join('\n');
}

/** Starts docker-registry under `dataDir` and resolves once its `/v2/` endpoint answers. */
export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const dataDir = opts.dataDir;
  const storage = join(dataDir, 'storage');
  mkdirSync(storage, { recursive: true });
  const port = opts.port ?? (await freePort());
  const configFile = join(dataDir, 'config.yml');
  let htpasswdPath: string | undefined;
  if (opts.htpasswd?.length) {
    htpasswdPath = join(dataDir, 'htpasswd');
    writeFileSync(htpasswdPath, htpasswdFile(opts.htpasswd), { mode: 0o600 });
  }
  writeFileSync(configFile, configYaml(storage, port, htpasswdPath));
  const logFile = join(dataDir, 'registry.log');
  const child: ChildProcess = spawnLogged(opts.binary ?? '/usr/bin/docker-registry', ['serve', configFile], logFile);
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });
  const exited = new Promise<Exit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitFor(`docker-registry on ${url}`, async () => {
      if (spawnError) throw spawnError;
      if (!isRunning(child)) throw new Error(`docker-registry exited: ${tail(logFile)}`);
      const res = await fetch(`${url}/v2/`);
      // with auth on, an anonymous /v2/ is a 401 with a challenge: it is up
      return res.ok || (!!htpasswdPath && res.status === 401);
    }, opts.startTimeoutMs ?? 20_000);
  } catch (e) {
    await stop();
    if (spawnError || !isRunning(child)) throw e instanceof Error ? e : new Error(String(e));
    throw new Error(`${(e as Error).message}; log: ${tail(logFile)}`);
  }
  return { host: `127.0.0.1:${port}`, port, url, logFile, pid: child.pid, exited, stop };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
