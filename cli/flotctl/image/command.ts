// `flotctl image push|ls`: images as Docker users have them (a `docker save` archive, an OCI layout) brought into
// the cluster's registry, and what that registry holds. The registry is the one `flotilla up` runs (found from the
// cluster.json beside the kubeconfig) or --registry HOST:PORT.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { CliError, type Ctx } from '../context.js';
import { type Parsed, str, UsageError } from '../flags.js';
import { findRegistry, type Registry } from './registry.js';

const SUBCOMMANDS = ['push', 'ls'];

/** The kubeconfig files kubectl would read (--kubeconfig, else KUBECONFIG's, else ~/.kube/config), existing or not. */
function kubeconfigFiles(p: Parsed): string[] {
  const flag = str(p, 'kubeconfig');
  if (flag) return [flag];
  return process.env.KUBECONFIG ? process.env.KUBECONFIG.split(':').filter(Boolean) : [resolve(homedir(), '.kube/config')];
}

function registryOf(p: Parsed): Registry {
  return findRegistry(str(p, 'registry'), () => kubeconfigFiles(p));
}

async function push(ctx: Ctx, p: Parsed, args: string[]): Promise<void> {
  if (args.length < 1 || args.length > 2) throw new UsageError('image push takes FILE.tar|OCI-DIR [NAME[:TAG]]');
  const [path, name] = args as [string, string | undefined];
  const { readSource, SourceError } = await import('./source.js');
  const { pushOne, pushTargets } = await import('./push.js');
  let source;
  try {
    source = await readSource(path);
  } catch (e) {
    if (e instanceof SourceError) throw new CliError(`error: ${e.message}`);
    throw e;
  }
  const registry = registryOf(p);
  // every name is checked before anything is copied
  const targets = pushTargets(source, name, registry, path);
  for (const t of targets) {
    const digest = await pushOne(t, registry, process.stderr.isTTY === true);
    ctx.print(`${registry.host}/${t.dest}@${digest}\n`);
  }
}

async function ls(ctx: Ctx, p: Parsed, args: string[]): Promise<void> {
  if (args.length) throw new UsageError(`image ls takes no arguments, got ${args.join(' ')}`);
  const { imagesTable, listImages } = await import('./ls.js');
  const rows = await listImages(registryOf(p));
  if (!rows.length) ctx.warn('No images found in the registry.\n');
  else ctx.print(imagesTable(rows));
}

async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const [sub, ...args] = p.args;
  switch (sub) {
    case 'push':
      return push(ctx, p, args);
    case 'ls':
    case 'list':
      return ls(ctx, p, args);
    case undefined:
      throw new UsageError(`an image command is required: one of ${SUBCOMMANDS.join(', ')}`);
    default:
      throw new UsageError(`unknown image command "${sub}": one of ${SUBCOMMANDS.join(', ')}`);
  }
}

export const command: Command = {
  short: 'Push docker save archives and OCI layouts to the cluster\'s registry (push), list its images (ls)',
  flags: { registry: {} },
  subcommands: SUBCOMMANDS,
  run,
};
