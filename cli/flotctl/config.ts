// `config`: view, get-contexts, current-context, use-context and set-context on the kubeconfig files kubectl would
// use, with kubectl's output, messages and exit codes. Never touches the server, and never needs a current context.
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { toYaml } from './output.js';
import { tabwrite } from './tabwriter.js';
import {
  type Entry, type KubeConfig, configPaths, defaultFile, flatten, loadMerged, minify, readConfigFile, shapeContext, shorten, toV1,
  writeConfigFile,
} from './kubeconfig-files.js';

const SUBCOMMANDS = ['current-context', 'get-contexts', 'set-context', 'use-context', 'view'];
const VIEW_FORMATS = 'go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml';
/** Go's %q for the names kubectl quotes in messages. */
const q = (s: string) => JSON.stringify(s);

async function view(ctx: Ctx, p: Parsed, args: string[]): Promise<void> {
  if (args.length) throw new CliError(`error: unexpected arguments: [${args.join(' ')}]\nSee 'flotctl config view -h' for help and examples`);
  const output = str(p, 'output') ?? 'yaml';
  const format = output.split('=')[0] as string;
  if (!['yaml', 'json', 'name'].includes(output) && !format.startsWith('jsonpath')) {
    if (['go-template', 'go-template-file', 'template', 'templatefile'].includes(format)) throw new CliError(`error: flotctl does not support -o ${format} (use jsonpath)`);
    throw new CliError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${VIEW_FORMATS}`);
  }
  const paths = configPaths(str(p, 'kubeconfig'));
  const c = loadMerged(paths);
  if (bool(p, 'minify')) {
    const context = str(p, 'context');
    if (context) c.current = context;
    minify(c);
  }
  if (bool(p, 'flatten')) flatten(c);
  else if (!bool(p, 'raw')) shorten(c);
  const doc = toV1(c);
  if (output === 'yaml') ctx.print(toYaml(doc));
  else if (output === 'json') ctx.print(JSON.stringify(doc, null, 4).replace(/[<>&]/g, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`) + '\n');
  else if (output === 'name') ctx.print('config/<unknown>\n');
  else {
    const { printerFor, jsonPathText } = await import('./get.js');
    const pr = printerFor(p);
    if (pr.kind !== 'jsonpath') throw new CliError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${VIEW_FORMATS}`);
    ctx.print(jsonPathText(pr, doc));
  }
}

function getContexts(ctx: Ctx, p: Parsed, args: string[]): void {
  const output = str(p, 'output') ?? '';
  if (output !== '' && output !== 'name') throw new CliError(`error: --output ${output} is not available in flotctl config get-contexts; resetting to default output format`);
  const c = loadMerged(configPaths(str(p, 'kubeconfig')));
  const errors: string[] = [];
  const names = args.length ? args.filter((n) => c.contexts.has(n) || !errors.push(`context ${n} not found`)) : [...c.contexts.keys()];
  names.sort();
  if (output === 'name') ctx.print(names.map((n) => `${n}\n`).join(''));
  else {
    const rows = names.map((n) => {
      const v = (c.contexts.get(n) as Entry).value;
      return [n === c.current ? '*' : '', n, String(v.cluster ?? ''), String(v.user ?? ''), String(v.namespace ?? '')];
    });
    ctx.print(tabwrite(bool(p, 'no-headers') ? rows : [['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'], ...rows]));
  }
  // One error is printed as "error: ..."; several, one per line without the prefix (kubectl's aggregate errors).
  if (errors.length) throw new CliError(errors.length === 1 ? `error: ${errors[0]}` : errors.join('\n'));
}

function currentContext(ctx: Ctx, p: Parsed): void {
  const c = loadMerged(configPaths(str(p, 'kubeconfig')));
  if (!c.current) throw new CliError('error: current-context is not set');
  ctx.print(`${c.current}\n`);
}

function useContext(ctx: Ctx, p: Parsed, args: string[]): void {
  if (args.length !== 1) {
    ctx.print('Set the current-context in a kubeconfig file.\n\nAliases:\nuse-context, use\n\nUsage:\n  flotctl config use-context CONTEXT_NAME [options]\n');
    throw new CliError(`error: Unexpected args: [${args.join(' ')}]`);
  }
  const name = args[0] as string;
  if (!name) throw new CliError('error: empty context names are not allowed');
  const paths = configPaths(str(p, 'kubeconfig'));
  const c = loadMerged(paths);
  if (!c.contexts.has(name)) throw new CliError(`error: no context exists with the name: ${q(name)}`);
  // Unchanged: nothing is written. Otherwise the explicit file, else the first existing file of the list.
  if (c.current !== name) {
    const file = defaultFile(paths);
    const fc = readConfigFile(file);
    fc.current = name;
    writeConfigFile(file, fc);
  }
  ctx.print(`Switched to context ${q(name)}.\n`);
}

function setContext(ctx: Ctx, p: Parsed, args: string[]): void {
  const current = bool(p, 'current');
  if (args.length > 1) throw new CliError(`error: unexpected args: [${args.join(' ')}]\nSee 'flotctl config set-context -h' for help and examples`);
  if (current && args.length) throw new CliError('error: you cannot specify both a context name and --current');
  if (!current && !args[0]) throw new CliError('error: you must specify a non-empty context name or --current');
  const paths = configPaths(str(p, 'kubeconfig'));
  const c: KubeConfig = loadMerged(paths);
  if (current && !c.current) throw new CliError('error: no current context is set');
  const name = current ? c.current : (args[0] as string);
  const before = c.contexts.get(name);
  const v: Record<string, unknown> = { ...(before?.value ?? {}) };
  for (const [flag, key] of [['cluster', 'cluster'], ['user', 'user'], ['namespace', 'namespace']] as const) {
    const given = str(p, flag);
    if (given !== undefined) v[key] = given;
  }
  const after = shapeContext(v);
  // kubectl writes a changed context back to the file it came from; a new one to its default file.
  if (!before || JSON.stringify(after) !== JSON.stringify(before.value)) {
    const file = before?.origin ?? defaultFile(paths);
    const fc = readConfigFile(file);
    fc.contexts.set(name, { value: after, origin: file });
    writeConfigFile(file, fc);
  }
  ctx.print(`Context ${q(name)} ${before ? 'modified' : 'created'}.\n`);
}

const HELP = `Modify kubeconfig files with subcommands such as "flotctl config use-context NAME".

Available Commands:
  current-context   Display the current-context
  get-contexts      Describe one or many contexts
  set-context       Set a context entry in kubeconfig
  use-context       Set the current-context in a kubeconfig file
  view              Display merged kubeconfig settings or a specified kubeconfig file

Usage:
  flotctl config SUBCOMMAND [options]
`;

export const command: Command = {
  short: 'Modify kubeconfig files',
  subcommands: SUBCOMMANDS,
  flags: {
    output: { short: 'o' },
    raw: { bool: true },
    minify: { bool: true },
    flatten: { bool: true },
    template: {},
    'allow-missing-template-keys': { bool: true },
    'no-headers': { bool: true },
    current: { bool: true },
    cluster: {},
    user: {},
  },
  run: async (ctx, p) => {
    const [sub, ...args] = p.args;
    if (sub === undefined) {
      process.stderr.write(HELP);
      throw new CliError('');
    }
    if (sub === 'view') return view(ctx, p, args);
    if (sub === 'get-contexts') return getContexts(ctx, p, args);
    if (sub === 'current-context') return currentContext(ctx, p);
    if (sub === 'use-context' || sub === 'use') return useContext(ctx, p, args);
    if (sub === 'set-context') return setContext(ctx, p, args);
    throw new CliError(`error: unknown command ${q(sub)}\nSee 'flotctl config -h' for help and examples`);
  },
};
