// `wait --for=condition=NAME[=VALUE] | --for=delete | --for=create | --for=jsonpath='{.a.b}'[=VALUE]`: watches each
// named object until the condition holds or the shared --timeout (default 30s) runs out, as kubectl 1.32 does;
// `pod/x condition met` on stdout, kubectl's errors and exit codes, and a live progress line on a TTY (stderr).
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, isNotFound } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, parseDuration, str } from './flags.js';
import { kindRef } from './output.js';
import { Progress } from './progress.js';
import { isTTY } from './style.js';
import { FILE_FLAGS, SELECT_FLAGS } from './targets.js';
import { type Found, fetchTargets, report } from './rollout/common.js';
import { deadline, followObject } from './rollout/watch.js';

/** What to wait for: `check` says whether an object meets it (throws kubectl's error when it never can). */
interface Condition {
  kind: 'delete' | 'create' | 'check';
  describe: string;
  check(o: KubeObject): boolean;
}

const fold = (s: string) => s.toLowerCase();

function conditionCheck(name: string, value: string): (o: KubeObject) => boolean {
  return (o) => {
    const conds = Array.isArray(o.status?.conditions) ? (o.status.conditions as Record<string, unknown>[]) : [];
    for (const c of conds) {
      if (typeof c.type !== 'string' || fold(c.type) !== fold(name) || typeof c.status !== 'string') continue;
      const gen = o.metadata.generation;
      const observed = typeof c.observedGeneration === 'number' ? c.observedGeneration : o.status?.observedGeneration;
      if (typeof gen === 'number' && typeof observed === 'number' && observed < gen) return false;
      return fold(c.status) === fold(value);
    }
    return false;
  };
}

/** A dotted path (`{.status.phase}`, `.spec.replicas`, `{.status.conditions[0].type}`) into the object. */
function jsonPathCheck(expr: string, value: string | undefined): (o: KubeObject) => boolean {
  const m = /^\{?\.?([^{}]*?)\}?$/.exec(expr.trim());
  const path = m?.[1] ?? '';
  if (!m || !/^[A-Za-z0-9_\-/]+(\[\d+\])*(\.[A-Za-z0-9_\-/]+(\[\d+\])*)*$/.test(path)) {
    throw new CliError(`error: flotctl wait supports only dotted JSONPath expressions such as '{.status.phase}': ${expr}`);
  }
  const steps = path.split('.').flatMap((seg) => seg.split(/[[\]]/).filter(Boolean).map((s, i) => (i > 0 ? Number(s) : s)));
  return (o) => {
    let v: unknown = o;
    for (const s of steps) {
      if (v === null || typeof v !== 'object') return false;
      v = (v as Record<string | number, unknown>)[s];
      if (v === undefined) return false;
    }
    if (value === undefined) return true;
    if (v !== null && typeof v === 'object') throw new Error('jsonpath leads to a nested object or list which is not supported');
    return String(v === null ? '<nil>' : v).trim() === value.trim();
  };
}

function parseFor(spec: string): Condition {
  const lower = fold(spec);
  if (lower === 'delete') return { kind: 'delete', describe: 'to be deleted', check: () => false };
  if (lower === 'create') return { kind: 'create', describe: 'to be created', check: () => true };
  if (spec.startsWith('condition=')) {
    const rest = spec.slice('condition='.length);
    const eq = rest.indexOf('=');
    const [name, value] = eq < 0 ? [rest, 'true'] : [rest.slice(0, eq), rest.slice(eq + 1)];
    return { kind: 'check', describe: `to meet --for=${spec}`, check: conditionCheck(name, value) };
  }
  if (spec.startsWith('jsonpath=')) {
    // split on single '=' (a '==' stays in the expression), as kubectl does
    const parts = spec.slice('jsonpath='.length).split(/(?<!=)=(?!=)/);
    if (parts.length < 1 || parts.length > 2) throw new CliError("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
    const expr = parts[0] as string;
    if (!expr) throw new CliError('error: jsonpath expression cannot be empty');
    const value = parts.length === 2 ? (parts[1] as string).replace(/^['"]+|['"]+$/g, '') : undefined;
    if (value === '') throw new CliError("error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
    return { kind: 'check', describe: `to meet --for=${spec}`, check: jsonPathCheck(expr, value) };
  }
  throw new CliError(`error: unrecognized condition: ${JSON.stringify(spec)}`);
}

/** The NotFound kubectl reports when an object went away before its watch began. */
function notFound(f: Found): ApiError {
  const k = f.target.kind;
  const message = `${k.group ? `${k.resource}.${k.group}` : k.resource} "${f.target.name}" not found`;
  return new ApiError(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message });
}

/** Waits for one object; resolves when the condition holds, throws kubectl's error otherwise. */
async function waitOne(ctx: Ctx, f: Found, cond: Condition, timeoutMs: number, signal: AbortSignal, progress?: Progress): Promise<void> {
  const { kind, name, namespace } = f.target;
  const where = `${kind.resource}/${name}`;
  if (timeoutMs === 0) {
    let o: KubeObject | undefined;
    try {
      o = await ctx.client.get(kind, name, { namespace });
    } catch (e) {
      if (cond.kind === 'delete' && isNotFound(e)) return;
      throw e;
    }
    if (cond.kind === 'delete' || !cond.check(o)) throw new Error(`condition not met for ${where}`);
    return;
  }
  const started = Date.now();
  const tick = progress && setInterval(() => progress.update(`waiting for ${kindRef(kind)}/${name} ${cond.describe} (${Math.round((Date.now() - started) / 1000)}s)`), 1000);
  try {
    progress?.update(`waiting for ${kindRef(kind)}/${name} ${cond.describe} (0s)`);
    for await (const ev of followObject(ctx.client, kind, namespace, name, signal)) {
      if (cond.kind === 'delete') {
        if (ev.type === 'DELETED' || (ev.type === 'SYNC' && !ev.object)) return;
        continue;
      }
      if (ev.type === 'SYNC' && !ev.object) throw notFound(f);
      if (ev.type !== 'DELETED' && ev.object && cond.check(ev.object)) return;
    }
    throw new Error(`timed out waiting for the condition on ${where}`);
  } finally {
    if (tick) clearInterval(tick);
  }
}

export async function wait(ctx: Ctx, p: Parsed): Promise<void> {
  const cond = parseFor(str(p, 'for') ?? '');
  let timeout = str(p, 'timeout') === undefined ? 30_000 : parseDuration(str(p, 'timeout') as string, 'timeout');
  if (timeout < 0) timeout = 168 * 3_600_000;
  if (!p.args.length && !p.flags.has('filename')) {
    throw new CliError(`error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`);
  }
  const dl = deadline(timeout);
  const errs: unknown[] = [];
  const progress = isTTY(process.stderr) ? new Progress(process.stderr) : undefined;
  try {
    let found: Found[] = [];
    for (let delay = 0; ; delay = 500) {
      const before = errs.length;
      found = (await fetchTargets(ctx, p, 'wait', errs, false)).found;
      // --for=create polls until every named object exists; --for=delete doesn't mind missing ones
      const missing = errs.splice(before).filter((e) => !(cond.kind === 'delete' && isNotFound(e)));
      if (cond.kind === 'create' && missing.length && missing.every(isNotFound)) {
        if (dl.expired() || timeout === 0) throw new CliError('error: timed out waiting for the condition');
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      errs.push(...missing);
      break;
    }
    for (const f of found) {
      try {
        await waitOne(ctx, f, cond, timeout, dl.signal, progress);
        progress?.done();
        ctx.print(`${kindRef(f.target.kind)}/${f.target.name} condition met\n`);
      } catch (e) {
        progress?.done();
        if (e instanceof CliError) throw e;
        errs.push(e);
      }
    }
    if (!found.length && !errs.length && cond.kind !== 'delete') throw new CliError('error: no matching resources found');
  } finally {
    dl.clear();
  }
  report(ctx, errs);
}

export const command: Command = {
  short: 'Experimental: Wait for a specific condition on one or many resources',
  flags: { ...FILE_FLAGS, ...SELECT_FLAGS, for: {}, timeout: {} },
  run: wait,
};
