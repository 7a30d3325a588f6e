// `flotctl __complete WORD...`: the hidden command the shell completion script calls with the words typed after
// `flotctl` (the last one being the word under the cursor). Prints one candidate per line: command names, flags
// after `-`, subcommands, resource types, object names from the server (namespaces after -n, pods for logs, exec,
// attach and port-forward), contexts from kubeconfig. It never prints an error: without a server or kubeconfig it simply offers nothing.
import type { Command } from './command.js';
import { Ctx, GLOBAL_FLAGS } from './context.js';
import type { FlagSpec, Parsed } from './flags.js';
import { COMMANDS, commandNames } from './registry.js';
import { KINDS, findByAlias, type KindInfo } from '../../lib/api/kinds.js';
import { configPaths, loadMerged } from './kubeconfig-files.js';

const TYPED = ['get', 'describe', 'delete', 'edit', 'patch', 'label', 'annotate', 'scale', 'wait'];
const POD_FIRST = ['logs', 'exec', 'attach', 'port-forward'];
const OUTPUTS = ['json', 'yaml', 'name', 'wide', 'jsonpath=', 'custom-columns='];
/** How long object names may take before the shell gets no candidates at all. */
const SERVER_TIMEOUT_MS = 2000;

interface Line {
  cmd?: string;
  cmdFlags: Record<string, FlagSpec>;
  globals: Map<string, string[]>;
  positionals: string[];
  /** The flag whose value is being typed (`-n <TAB>`, `--namespace=<TAB>`). */
  valueFor?: string;
}

/** Reads the words before the cursor as main.ts and parseFlags would, but never fails on what it can't read. */
async function readLine(words: string[]): Promise<Line> {
  const line: Line = { cmdFlags: {}, globals: new Map(), positionals: [] };
  const spec = () => ({ ...GLOBAL_FLAGS, ...line.cmdFlags }) as Record<string, FlagSpec>;
  const byName = (w: string): [string, FlagSpec] | undefined => {
    const s = spec();
    const name = w.startsWith('--') ? w.slice(2) : Object.keys(s).find((n) => s[n]?.short === w.slice(1));
    return name && s[name] ? [name, s[name] as FlagSpec] : undefined;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w.startsWith('-') && w.length > 1) {
      const eq = w.indexOf('=');
      const f = byName(eq > 0 ? w.slice(0, eq) : w.startsWith('--') ? w : w.slice(0, 2));
      if (!f) continue;
      let value: string | undefined = eq > 0 ? w.slice(eq + 1) : !w.startsWith('--') && w.length > 2 ? w.slice(2) : undefined;
      if (value === undefined && !f[1].bool && f[1].bare === undefined) {
        if (i + 1 >= words.length) {
          line.valueFor = f[0];
          break;
        }
        value = words[++i];
      }
      if (f[0] in GLOBAL_FLAGS) line.globals.set(f[0], [value ?? 'true']);
    } else if (!line.cmd && COMMANDS[w]) {
      line.cmd = w;
      line.cmdFlags = (await (COMMANDS[w] as () => Promise<Command>)()).flags;
    } else line.positionals.push(w);
  }
  return line;
}

/** Names of the objects of a kind in the namespace the line selects, or none when the server doesn't answer. */
async function objectNames(line: Line, kind: KindInfo): Promise<string[]> {
  const p: Parsed = { flags: line.globals, args: [] };
  const ctx = new Ctx(p);
  try {
    const all = line.globals.get('all-namespaces')?.[0] === 'true';
    const ns = kind.namespaced && !all ? ctx.namespace : undefined;
    const path = `${kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${kind.resource}`;
    const list = await ctx.client.request<{ items?: { metadata?: { name?: string } }[] }>({ method: 'GET', path, signal: AbortSignal.timeout(SERVER_TIMEOUT_MS) });
    return (list.items ?? []).map((o) => o.metadata?.name ?? '').filter(Boolean);
  } catch {
    return [];
  } finally {
    ctx.close();
  }
}

const contextNames = (line: Line): string[] => {
  try {
    return [...loadMerged(configPaths(line.globals.get('kubeconfig')?.[0])).contexts.keys()].sort();
  } catch {
    return [];
  }
};

const types = (only?: string[]) => KINDS.filter((k) => !only || only.includes(k.resource)).map((k) => k.resource);

/** `TYPE NAME` or `TYPE/NAME` completion for commands that act on objects. */
async function typeAndNames(line: Line, args: string[], cur: string, only?: string[]): Promise<string[]> {
  if (cur.includes('/')) {
    const [t] = cur.split('/');
    const k = findByAlias(t as string);
    return k ? (await objectNames(line, k)).map((n) => `${t}/${n}`) : [];
  }
  if (!args.length) return types(only);
  if ((args[0] as string).includes('/')) return [];
  const k = findByAlias((args[0] as string).split(',')[0] as string);
  return k ? objectNames(line, k) : [];
}

export async function candidates(words: string[]): Promise<string[]> {
  const cur = words.at(-1) ?? '';
  const line = await readLine(words.slice(0, -1));
  const eq = cur.startsWith('-') ? cur.indexOf('=') : -1;
  if (eq > 0) line.valueFor = (await readLine([...words.slice(0, -1), cur.slice(0, eq)])).valueFor;
  if (line.valueFor) {
    if (line.valueFor === 'namespace') return objectNames(line, findByAlias('namespaces') as KindInfo);
    if (line.valueFor === 'context') return contextNames(line);
    if (line.valueFor === 'output') return OUTPUTS;
    return [];
  }
  const flagList = (spec: Record<string, FlagSpec>) => Object.keys(spec).map((n) => `--${n}`).sort();
  if (!line.cmd) return cur.startsWith('-') ? flagList(GLOBAL_FLAGS) : commandNames();
  if (cur.startsWith('-')) return flagList({ ...line.cmdFlags, ...GLOBAL_FLAGS });
  const args = line.positionals;
  const cmd = line.cmd;
  if (TYPED.includes(cmd)) return typeAndNames(line, args, cur);
  if (POD_FIRST.includes(cmd)) return args.length ? [] : objectNames(line, findByAlias('pods') as KindInfo);
  if (cmd === 'completion') return args.length ? [] : ['bash', 'zsh'];
  const subs = (await (COMMANDS[cmd] as () => Promise<Command>)()).subcommands;
  if (subs && !args.length) return subs;
  if (cmd === 'rollout') return typeAndNames(line, args.slice(1), cur, ['deployments']);
  if (cmd === 'config' && ['use-context', 'use', 'set-context', 'get-contexts'].includes(args[0] as string)) return args.length === 1 ? contextNames(line) : [];
  return [];
}

export const command: Command = {
  short: 'Print shell completion candidates for the words typed (used by the completion script)',
  flags: {},
  run: async (ctx, p) => {
    // The words come after `--`; bash splits `--flag=value` at `=`, which is joined back here.
    const words: string[] = [];
    for (const w of p.args) {
      if (w === '=' && words.length) words[words.length - 1] += '=';
      else if (words.at(-1)?.endsWith('=') && words.at(-1)?.startsWith('-')) words[words.length - 1] += w;
      else words.push(w);
    }
    if (!words.length) words.push('');
    let out: string[] = [];
    try {
      out = await candidates(words);
    } catch {
      out = [];
    }
    const cur = words.at(-1) as string;
    const eq = cur.startsWith('-') ? cur.indexOf('=') : -1;
    // After `--flag=`, the shell completes only the part after `=`.
    const prefix = eq >= 0 ? cur.slice(eq + 1) : cur;
    // Readline breaks words at `=` too, so only the value is replaced: candidates are values alone.
    ctx.print([...new Set(out)].filter((c) => c.startsWith(prefix)).map((c) => `${c}\n`).join(''));
  },
};
