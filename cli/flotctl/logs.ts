// `logs`: prints (or follows) a container's log, as kubectl does: POD, TYPE/NAME (a pod of the object's selector,
// the one best for logging), or every pod matching -l; the default container (annotation, else the first); --prefix,
// --all-containers, --all-pods, --tail/--since/--since-time/--timestamps/--previous/--limit-bytes.
// Also exports the --pod-running-timeout check `exec` shares with it.
import { once } from 'node:events';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, Status } from '../../lib/api/types.js';
import { ApiError, isNotFound, resourcePath } from '../../lib/client/rest.js';
import { DEFAULT_CONTAINER, type Pod, allContainerNames, byLogging, hasContainer, manyContainers, parseRef, podsOf, selectorOf } from './podselect.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, durationFlag, intFlag, str } from './flags.js';
import { rfc3339 } from '../../lib/api/time.js';

/** Go's time.Parse(time.RFC3339, s), with its error messages. */
function parseRFC3339(s: string): Date {
  const layout = '2006-01-02T15:04:05Z07:00';
  const q = JSON.stringify(s);
  const steps: [string, string, RegExp][] = [
    ['', '2006', /^\d{4}/], ['-', '01', /^\d{2}/], ['-', '02', /^\d{2}/], ['T', '15', /^\d{2}/], [':', '04', /^\d{2}/], [':', '05', /^\d{2}(\.\d+)?/], ['', 'Z07:00', /^(Z|[+-]\d{2}:\d{2})/],
  ];
  let rest = s;
  const parts: string[] = [];
  for (const [sep, elem, re] of steps) {
    if (!rest.startsWith(sep)) throw new CliError(`error: parsing time ${q} as "${layout}": cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(sep)}`);
    rest = rest.slice(sep.length);
    const m = re.exec(rest);
    if (!m) throw new CliError(`error: parsing time ${q} as "${layout}": cannot parse ${JSON.stringify(rest)} as "${elem}"`);
    parts.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  const [, mo, d, h, mi, sec] = parts.map((x) => Number.parseFloat(x));
  const range = (what: string) => new CliError(`error: parsing time ${q}: ${what} out of range`);
  if ((mo as number) < 1 || (mo as number) > 12) throw range('month');
  if ((d as number) < 1 || (d as number) > 31) throw range('day');
  if ((h as number) > 23) throw range('hour');
  if ((mi as number) > 59) throw range('minute');
  if ((sec as number) >= 60) throw range('second');
  if (rest) throw new CliError(`error: parsing time ${q}: extra text: ${JSON.stringify(rest)}`);
  const t = new Date(s);
  if (Number.isNaN(t.getTime())) throw range('day');
  return t;
}

export function podRunningTimeout(p: Parsed, usage: string): number {
  const t = durationFlag(p, 'pod-running-timeout') ?? 20_000;
  if (t <= 0) throw new CliError(`error: --pod-running-timeout must be higher than zero${usage}`);
  return t;
}

// ---- logs ----

interface LogRequest {
  pod: Pod;
  container: string;
}

/** Which containers' logs to read for one pod (kubectl's logsForObject for a Pod). */
function requestsForPod(ctx: Ctx, pod: Pod, container: string, allContainers: boolean, quiet: boolean): LogRequest[] {
  if (allContainers) {
    const s = pod.spec ?? {};
    return [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])].map((c) => ({ pod, container: c.name }));
  }
  let name = container;
  const preferred = pod.metadata.annotations?.[DEFAULT_CONTAINER];
  if (!name && preferred) {
    if (hasContainer(pod, preferred)) name = preferred;
    else ctx.warn(`Default container name "${preferred}" not found in pod ${pod.metadata.name}\n`);
  }
  if (!name) {
    name = pod.spec?.containers?.[0]?.name ?? '';
    if (manyContainers(pod) && !quiet) ctx.warn(`Defaulted container "${name}" out of: ${allContainerNames(pod)}\n`);
  }
  if (!hasContainer(pod, name)) throw new CliError(`error: container ${name} is not valid for pod ${pod.metadata.name}`);
  return [{ pod, container: name }];
}

async function write(s: string | Buffer): Promise<void> {
  if (!process.stdout.write(s)) await once(process.stdout, 'drain');
}

/** Streams one log to stdout; line by line (whole lines only) when prefixed or interleaved with others. */
async function consume(ctx: Ctx, r: LogRequest, query: URLSearchParams, prefix: string | undefined, byLine: boolean, signal: AbortSignal): Promise<void> {
  const q = new URLSearchParams(query);
  q.set('container', r.container);
  const path = `${resourcePath(ctx.kind('pods'), r.pod.metadata.namespace, r.pod.metadata.name)}/log?${q}`;
  let res;
  try {
    res = await ctx.client.stream({ method: 'GET', path, signal });
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  }
  if ((res.statusCode ?? 0) >= 400) {
    let text = '';
    for await (const c of res) text += String(c);
    let status: Status | undefined;
    try {
      status = JSON.parse(text) as Status;
    } catch {
      /* not a Status */
    }
    throw new ApiError(res.statusCode as number, status?.kind === 'Status' ? status : ({ kind: 'Status', code: res.statusCode, message: text } as Status));
  }
  let partial = '';
  if (prefix || byLine) res.setEncoding('utf8');
  try {
    for await (const chunk of res) {
      if (!prefix && !byLine) {
        await write(chunk as Buffer);
        continue;
      }
      const lines = (partial + (chunk as string)).split(/(?<=\n)/);
      partial = lines.at(-1)?.endsWith('\n') ? '' : (lines.pop() as string);
      if (lines.length) await write(lines.map((l) => (prefix ?? '') + l).join(''));
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
  if (partial) await write((prefix ?? '') + partial);
}

const USAGE = `error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'flotctl logs -h' for help and examples`;

export async function logs(ctx: Ctx, p: Parsed): Promise<void> {
  const tail = intFlag(p, 'tail', -1);
  const limitBytes = intFlag(p, 'limit-bytes');
  const maxRequests = intFlag(p, 'max-log-requests', 5);
  const since = durationFlag(p, 'since') ?? 0;
  const selector = str(p, 'selector') ?? '';
  let container = str(p, 'container') ?? '';
  const [arg, inline] = p.args;
  if (p.args.length > 2 || (!p.args.length && !selector)) throw new CliError(USAGE);
  if (p.args.length === 1 && selector) throw new CliError(`error: only a selector (-l) or a POD name is allowed\nSee 'flotctl logs -h' for help and examples`);
  if (inline !== undefined) container = inline;
  const allPods = bool(p, 'all-pods');
  const prefixed = bool(p, 'prefix') || allPods;
  const timeout = podRunningTimeout(p, '');
  const sinceTime = str(p, 'since-time') ? parseRFC3339(str(p, 'since-time') as string) : undefined;

  // What the arguments name: a pod, another object, or the pods of -l.
  const ns = ctx.namespace;
  let object: { kind: KindInfo; obj: KubeObject } | undefined;
  let selected: Pod[] = [];
  if (arg !== undefined) {
    const ref = parseRef(ctx, arg);
    try {
      object = { kind: ref.kind, obj: await ctx.client.get(ref.kind, ref.name, { namespace: ns }) };
    } catch (e) {
      if (isNotFound(e)) throw new CliError(`error: error from server (NotFound): ${(e as Error).message} in namespace "${ns}"`);
      throw e;
    }
  } else {
    selected = (await ctx.client.listAll<Pod>(ctx.kind('pods'), { namespace: ns, labelSelector: selector })).items;
    if (!selected.length) ctx.warn(`No resources found in ${ns} namespace.\n`);
  }

  if (str(p, 'since-time') && since !== 0) throw new CliError('error: at most one of `sinceTime` or `sinceSeconds` may be specified');
  const allContainers = bool(p, 'all-containers');
  if (allContainers && container) throw new CliError(`error: --all-containers=true should not be specified with container name ${container}`);
  if (str(p, 'container') !== undefined && inline !== undefined) throw new CliError('error: only one of -c or an inline [CONTAINER] arg is allowed');
  if (limitBytes < 0) throw new CliError('error: --limit-bytes must be greater than 0');
  if (since < 0) throw new CliError('error: --since must be greater than 0');
  if (tail < -1) throw new CliError('error: --tail must be greater than or equal to -1');

  const query = new URLSearchParams();
  const follow = bool(p, 'follow');
  if (follow) query.set('follow', 'true');
  if (bool(p, 'previous')) query.set('previous', 'true');
  if (since) query.set('sinceSeconds', String(Math.round(since / 1000)));
  if (sinceTime) query.set('sinceTime', rfc3339(sinceTime));
  if (bool(p, 'timestamps')) query.set('timestamps', 'true');
  if (selector && tail === -1 && str(p, 'tail') === undefined) query.set('tailLines', '10');
  else if (tail !== -1) query.set('tailLines', String(tail));
  if (limitBytes) query.set('limitBytes', String(limitBytes));
  if (bool(p, 'insecure-skip-tls-verify-backend')) query.set('insecureSkipTLSVerifyBackend', 'true');

  // Which containers' logs to read.
  const requests: LogRequest[] = [];
  if (object && object.kind.kind === 'Pod') {
    requests.push(...requestsForPod(ctx, object.obj as Pod, container, allContainers, false));
  } else if (object) {
    const sel = selectorOf(object.kind, object.obj);
    if (sel instanceof Error) throw new CliError(`error: cannot get the logs from *${object.kind.version}.${object.kind.kind}: ${sel.message}`);
    const pods = await podsOf(ctx, object.obj.metadata.namespace ?? ns, sel, timeout, byLogging);
    if (pods.length > 1 && !allPods) ctx.warn(`Found ${pods.length} pods, using pod/${pods[0]?.metadata.name}\n`);
    for (const pod of allPods ? pods : pods.slice(0, 1)) requests.push(...requestsForPod(ctx, pod, container, allContainers, allPods));
  } else {
    for (const pod of selected) requests.push(...requestsForPod(ctx, pod, container, allContainers, false));
  }
  if (follow && requests.length > maxRequests) {
    throw new CliError(`error: you are attempting to follow ${requests.length} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`);
  }

  // Stream them: one after another, or all at once when following several. Ctrl-C stops and exits 1, as kubectl.
  const abort = new AbortController();
  const interrupted = () => {
    ctx.exitCode = 1;
    abort.abort();
  };
  process.once('SIGINT', interrupted);
  process.stdout.on('error', interrupted);
  try {
    const prefixOf = (r: LogRequest) => (prefixed ? `[pod/${r.pod.metadata.name}/${r.container}] ` : undefined);
    const ignore = bool(p, 'ignore-errors');
    const run = async (r: LogRequest, parallel: boolean) => {
      try {
        await consume(ctx, r, query, prefixOf(r), parallel, abort.signal);
      } catch (e) {
        if (!ignore) throw e;
        await write(`error: ${e instanceof ApiError ? e.message : (e as Error).message}\n`);
      }
    };
    if (follow && requests.length > 1) {
      await Promise.all(requests.map((r) => run(r, true).catch((e) => {
        abort.abort();
        throw e;
      })));
    } else {
      for (const r of requests) {
        if (abort.signal.aborted) break;
        await run(r, false);
      }
    }
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.stdout.removeListener('error', interrupted);
  }
}

export const command: Command = {
  short: 'Print the logs for a container in a pod',
  flags: {
    follow: { short: 'f', bool: true }, previous: { short: 'p', bool: true }, timestamps: { bool: true }, prefix: { bool: true },
    'all-containers': { bool: true }, 'all-pods': { bool: true }, 'ignore-errors': { bool: true }, 'insecure-skip-tls-verify-backend': { bool: true },
    container: { short: 'c' }, selector: { short: 'l' }, tail: {}, since: {}, 'since-time': {}, 'limit-bytes': {}, 'max-log-requests': {}, 'pod-running-timeout': {},
  },
  run: logs,
};
