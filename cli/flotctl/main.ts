// flotctl: Flotilla's kubectl. Same verbs, flags, output and exit codes as kubectl 1.32 for what it implements.
import { CliError, Ctx, GLOBAL_FLAGS, formatError } from './context.js';
import { type FlagSpec, type Parsed, UsageError, all, bool, parseFlags } from './flags.js';
import { applyItem, createItem } from './apply.js';
import { get } from './get.js';
import { del, scale, setMeta, version } from './commands.js';
import { readItems } from './manifests.js';

const F = { filename: { short: 'f', multi: true }, recursive: { short: 'R', bool: true } };
const SEL = { selector: { short: 'l' }, all: { bool: true } };
const COMMANDS: Record<string, { flags: Record<string, FlagSpec>; run: (ctx: Ctx, p: Parsed) => Promise<void> }> = {
  get: { flags: { output: { short: 'o' }, selector: { short: 'l' }, 'show-labels': { bool: true }, 'no-headers': { bool: true }, 'show-managed-fields': { bool: true } }, run: get },
  apply: { flags: { ...F }, run: async (ctx, p) => { for (const it of items(ctx, p)) await applyItem(ctx, it); } },
  create: { flags: { ...F }, run: async (ctx, p) => { for (const it of items(ctx, p)) await createItem(ctx, it); } },
  delete: { flags: { ...F, ...SEL, 'ignore-not-found': { bool: true }, wait: {} }, run: del },
  scale: { flags: { ...F, ...SEL, replicas: {} }, run: scale },
  label: { flags: { ...F, ...SEL, overwrite: { bool: true } }, run: (ctx, p) => setMeta(ctx, p, 'labels') },
  annotate: { flags: { ...F, ...SEL, overwrite: { bool: true } }, run: (ctx, p) => setMeta(ctx, p, 'annotations') },
  version: { flags: { client: { bool: true }, output: { short: 'o' } }, run: version },
};

function items(ctx: Ctx, p: Parsed) {
  if (p.args.length) throw new CliError(`error: Unexpected args: [${p.args.join(' ')}]`);
  return readItems(ctx, all(p, 'filename'), bool(p, 'recursive'));
}

async function main(argv: string[]): Promise<number> {
  const cmdAt = argv.findIndex((a) => COMMANDS[a]);
  const name = argv[cmdAt];
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`error: unknown command${argv.length ? ` "${argv.find((a) => !a.startsWith('-'))}"` : ''} for "flotctl"\nCommands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 1;
  }
  let p: Parsed;
  try {
    p = parseFlags([...argv.slice(0, cmdAt), ...argv.slice(cmdAt + 1)], { ...GLOBAL_FLAGS, ...cmd.flags });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\nSee 'flotctl ${name} --help' for usage.\n`);
    return 1;
  }
  let ctx: Ctx | undefined;
  try {
    if (name === 'version' && bool(p, 'client')) {
      await version(undefined, p);
      return 0;
    }
    ctx = new Ctx(p);
    await cmd.run(ctx, p);
    return ctx.failed ? 1 : 0;
  } catch (e) {
    process.stderr.write(formatError(e, '', ctx?.config) + '\n');
    return 1;
  } finally {
    ctx?.client.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
