// `compose logs [SERVICE...]`: every pod's log of the project (or of the services named), each line prefixed
// `service-N  | ` as docker compose prefixes its containers' lines (coloured on a terminal); -f follows them all.
import { once } from 'node:events';
import { resourcePath } from '../../../lib/client/rest.js';
import { CliError, type Ctx } from '../context.js';
import { bool, intFlag, type Parsed } from '../flags.js';
import type { Pod } from '../podselect.js';
import { projectPods, serviceOf } from './pods.js';
import type { Project } from './project.js';

const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

async function write(s: string): Promise<void> {
  if (!process.stdout.write(s)) await once(process.stdout, 'drain');
}

/** The prefixes, padded to one width as compose pads them. */
export function prefixes(pods: Pod[], colour: boolean): Map<Pod, string> {
  const counts = new Map<string, number>();
  const names = pods.map((p) => {
    const n = (counts.get(serviceOf(p)) ?? 0) + 1;
    counts.set(serviceOf(p), n);
    return `${serviceOf(p)}-${n}`;
  });
  const width = Math.max(0, ...names.map((n) => n.length));
  const services = [...new Set(pods.map(serviceOf))];
  return new Map(pods.map((p, i) => {
    const text = `${(names[i] as string).padEnd(width)}  | `;
    return [p, colour ? `\x1b[${COLOURS[services.indexOf(serviceOf(p)) % COLOURS.length]}m${text}\x1b[0m` : text];
  }));
}

async function stream(ctx: Ctx, pod: Pod, query: URLSearchParams, prefix: string, signal: AbortSignal): Promise<void> {
  const q = new URLSearchParams(query);
  q.set('container', (pod.spec?.containers?.[0] as { name: string }).name);
  const res = await ctx.client.stream({ method: 'GET', path: `${resourcePath(ctx.kind('pods'), pod.metadata.namespace, pod.metadata.name)}/log?${q}`, signal });
  res.setEncoding('utf8');
  let partial = '';
  if ((res.statusCode ?? 0) >= 400) {
    for await (const c of res) partial += String(c);
    ctx.warn(`${prefix}error: ${partial.trim()}\n`);
    return;
  }
  try {
    for await (const chunk of res) {
      const lines = (partial + (chunk as string)).split(/(?<=\n)/);
      partial = lines.at(-1)?.endsWith('\n') ? '' : (lines.pop() as string);
      if (lines.length) await write(lines.map((l) => prefix + l).join(''));
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
  if (partial) await write(`${prefix}${partial}\n`);
}

export async function composeLogs(ctx: Ctx, p: Parsed, project: Project, services: string[]): Promise<void> {
  const known = Object.keys((project.model.services ?? {}) as object);
  for (const s of services) if (!known.includes(s)) throw new CliError(`error: no such service: ${s}`);
  const pods = await projectPods(ctx, project.name, services);
  const names = prefixes(pods, Boolean(process.stdout.isTTY));
  const query = new URLSearchParams();
  if (bool(p, 'follow')) query.set('follow', 'true');
  const tail = intFlag(p, 'tail', -1);
  if (tail >= 0) query.set('tailLines', String(tail));
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    await Promise.all(pods.map((pod) => stream(ctx, pod, query, bool(p, 'no-log-prefix') ? '' : (names.get(pod) as string), abort.signal)));
  } finally {
    process.removeListener('SIGINT', stop);
  }
}
