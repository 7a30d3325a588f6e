// `cp`: files and directories into and out of a container, as kubectl cp does it: a tar stream through exec, `tar
// -xmf - -C DIR` in the container for a copy in (the end of stdin, v5's close, lets tar finish), `tar cf - PATH` for
// a copy out, unpacked here with the path's prefix stripped. Entries that would land outside the destination and
// symlinks are skipped with kubectl's warnings.
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import type { Pod } from './podselect.js';
import { outcome, remoteCommand, subresourceUrl } from './remote-command.js';
import { extract, packPath, type TarEntry } from './tar.js';

const SEE = `\nSee 'flotctl cp -h' for help and examples`;

interface FileSpec {
  namespace?: string;
  pod?: string;
  file: string;
}

/** `[[NAMESPACE/]POD:]FILE`, as kubectl's extractFileSpec reads it. */
export function fileSpec(arg: string): FileSpec {
  const i = arg.indexOf(':');
  if (i < 0) return { file: arg };
  const [podPart, file] = [arg.slice(0, i), arg.slice(i + 1)];
  const parts = podPart.split('/');
  if (parts.length === 1) return { pod: parts[0], file };
  if (parts.length === 2) return { namespace: parts[0], pod: parts[1], file };
  throw new CliError(`error: filespec must match the canonical format: [[namespace/]pod:]file/path${SEE}`);
}

/** Runs a command in the container with these streams; resolves to its exit code and stderr. */
async function run(ctx: Ctx, pod: Pod, container: string, command: string[], stdin: Readable | undefined,
  stdout: Writable): Promise<{ code: number; error?: string; stderr: string }> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  if (container) q.set('container', container);
  if (stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  let stderr = '';
  const errOut = new Writable({ write: (c: Buffer, _e, cb) => ((stderr += String(c)), cb()) });
  const r = await remoteCommand(ctx, subresourceUrl(ctx, pod, 'exec', q), { stdin, stdout, stderr: errOut });
  if (r.interrupted) throw new CliError('error: interrupted');
  return { ...outcome(r.status), stderr };
}

async function copyToPod(ctx: Ctx, src: string, dest: FileSpec, pod: Pod, container: string, noPreserve: boolean): Promise<void> {
  if (!existsSync(src)) throw new CliError(`error: ${src} doesn't exist in local filesystem`);
  let file = dest.file;
  // a directory in the container gets the source under its own name
  const isDir = await run(ctx, pod, container, ['test', '-d', file], undefined, new PassThrough().resume());
  if (isDir.code === 0) file = posix.join(file, basename(resolve(src)));
  const cmd = noPreserve ? ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-'] : ['tar', '-xmf', '-'];
  const dir = posix.dirname(file);
  if (dir) cmd.push('-C', dir);
  const r = await run(ctx, pod, container, cmd, packPath(src, posix.basename(file)), new PassThrough().resume());
  if (r.error) throw new CliError(`${r.stderr}${r.error.startsWith('error: ') ? r.error : `error: ${r.error}`}`);
}

/** Whether `target` is `base` or below it. */
const within = (base: string, target: string) => {
  const rel = relative(base, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

async function copyFromPod(ctx: Ctx, src: FileSpec, dest: string, pod: Pod, container: string): Promise<void> {
  // the names tar writes: the path without its leading '/', cleaned
  const prefix = posix.normalize(src.file.replace(/^\/+/, '')).replace(/\/$/, '');
  const destRoot = resolve(dest);
  const entry = async (e: TarEntry, content: Readable): Promise<void> => {
    let name = e.name.replace(/^\/+/, '').replace(/\/$/, '');
    if (name !== prefix && !name.startsWith(`${prefix}/`)) return;
    name = name.slice(prefix.length);
    const target = join(destRoot, name);
    if (!within(destRoot, target)) {
      ctx.warn(`warning: file "${target}" is outside target destination, skipping\n`);
      return;
    }
    if (e.type === 'directory') {
      mkdirSync(target, { recursive: true });
      return;
    }
    if (e.type === 'symlink') {
      ctx.warn(`warning: skipping symlink: "${target}" -> "${e.linkname}"\n`);
      return;
    }
    if (e.type !== 'file') return;
    mkdirSync(dirname(target), { recursive: true });
    await pipeline(content, createWriteStream(target, { mode: e.mode & 0o777 }));
  };
  // as kubectl: the destination is the path itself (not a directory to put the source in)
  const unpack = extract(entry);
  let failure: Error | undefined;
  unpack.on('error', (e) => (failure = e));
  const r = await run(ctx, pod, container, ['tar', 'cf', '-', src.file], undefined, unpack);
  if (r.error) throw new CliError(`${r.stderr}${r.error.startsWith('error: ') ? r.error : `error: ${r.error}`}`);
  await new Promise<void>((done) => {
    if (unpack.writableFinished || failure) return done();
    unpack.once('finish', () => done()).once('error', () => done());
    unpack.end();
  });
  if (failure) throw new CliError(`error: ${failure.message}`);
}

export async function cp(ctx: Ctx, p: Parsed): Promise<void> {
  if (p.args.length !== 2) throw new CliError(`error: source and destination are required${SEE}`);
  const [src, dest] = (p.args as [string, string]).map(fileSpec) as [FileSpec, FileSpec];
  if (!src.file || !dest.file) throw new CliError('error: filepath can not be empty');
  if (!!src.pod === !!dest.pod) {
    throw new CliError(src.pod ? 'error: one of src or dest must be a local file specification' : 'error: one of src or dest must be a remote file specification');
  }
  const remote = (src.pod ? src : dest) as FileSpec & { pod: string };
  const kind = ctx.kind('pods');
  const pod = (await ctx.client.get(kind, remote.pod, { namespace: remote.namespace ?? ctx.namespace })) as Pod;
  const container = str(p, 'container') ?? '';
  if (!container && (pod.spec?.containers?.length ?? 0) > 1) ctx.warn(`Defaulted container "${pod.spec?.containers?.[0]?.name}" out of: ${(pod.spec?.containers ?? []).map((c) => c.name).join(', ')}\n`);
  if (src.pod) await copyFromPod(ctx, src, dest.file, pod, container);
  else await copyToPod(ctx, src.file, dest, pod, container, bool(p, 'no-preserve'));
}

export const command: Command = {
  short: 'Copy files and directories to and from containers',
  flags: { container: { short: 'c' }, 'no-preserve': { bool: true }, retries: {} },
  run: cp,
};
