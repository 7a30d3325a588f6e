// `api-resources`: the resource types the server's discovery documents list (/api, /apis, /apis/GROUP/VERSION),
// preferred version first, without subresources, filtered and sorted as kubectl does (by group, then name), printed
// as kubectl's table, `-o wide` (VERBS, CATEGORIES) or `-o name`.
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, boolFlag, str } from './flags.js';
import { tabwrite } from './tabwriter.js';

export interface DiscoveredResource {
  name: string;
  shortNames: string[];
  namespaced: boolean;
  kind: string;
  verbs: string[];
  categories: string[];
  group: string;
  groupVersion: string;
}

interface APIResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}
interface APIResourceList {
  groupVersion: string;
  resources?: APIResource[];
}
interface APIGroupList {
  groups?: { name: string; versions?: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[];
}

const get = <T>(ctx: Ctx, path: string) => ctx.client.request<T>({ method: 'GET', path });

/**
 * Every resource (not subresource) of every group, each group's preferred version first; a resource seen in an
 * earlier version of its group is not listed again (client-go's ServerPreferredResources).
 */
export async function discover(ctx: Ctx): Promise<DiscoveredResource[]> {
  const [core, apis] = await Promise.all([get<{ versions?: string[] }>(ctx, '/api'), get<APIGroupList>(ctx, '/apis')]);
  const groups: { name: string; versions: string[] }[] = [{ name: '', versions: core.versions ?? [] }];
  for (const g of apis.groups ?? []) {
    const preferred = g.preferredVersion?.groupVersion;
    const all = (g.versions ?? []).map((v) => v.groupVersion);
    groups.push({ name: g.name, versions: preferred ? [preferred, ...all.filter((v) => v !== preferred)] : all });
  }
  const lists = await Promise.all(groups.map((g) => Promise.all(g.versions.map((gv) => get<APIResourceList>(ctx, g.name ? `/apis/${gv}` : `/api/${gv}`)))));
  const out: DiscoveredResource[] = [];
  groups.forEach((g, i) => {
    const seen = new Set<string>();
    for (const list of lists[i] ?? []) {
      for (const r of list.resources ?? []) {
        if (r.name.includes('/') || seen.has(r.name)) continue;
        seen.add(r.name);
        out.push({
          name: r.name, shortNames: r.shortNames ?? [], namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? [],
          categories: r.categories ?? [], group: g.name, groupVersion: list.groupVersion,
        });
      }
    }
  });
  return out;
}

const csv = (p: Parsed, n: string) => (p.flags.get(n) ?? []).flatMap((v) => v.split(',')).filter(Boolean);

async function run(ctx: Ctx, p: Parsed): Promise<void> {
  if (p.args.length) throw new CliError(`error: unexpected arguments: [${p.args.join(' ')}]\nSee 'flotctl api-resources -h' for help and examples`);
  const output = str(p, 'output') ?? '';
  if (!['', 'wide', 'name'].includes(output)) throw new CliError(`error: --output ${output} is not available`);
  const sortBy = str(p, 'sort-by') ?? '';
  if (!['', 'name', 'kind'].includes(sortBy)) throw new CliError('error: --sort-by accepts only name or kind');
  const wantNs = str(p, 'namespaced') === undefined ? undefined : boolFlag(p, 'namespaced', true);
  const group = str(p, 'api-group');
  const verbs = csv(p, 'verbs');
  const categories = csv(p, 'categories');

  const rs = (await discover(ctx)).filter(
    (r) =>
      r.verbs.length > 0 &&
      (group === undefined || r.group === group) &&
      (wantNs === undefined || r.namespaced === wantNs) &&
      verbs.every((v) => r.verbs.includes(v)) &&
      categories.every((c) => r.categories.includes(c)),
  );
  const key = (r: DiscoveredResource) => (sortBy === 'name' ? r.name : sortBy === 'kind' ? r.kind : r.group);
  rs.sort((a, b) => cmp(key(a), key(b)) || cmp(a.name, b.name));

  if (output === 'name') {
    ctx.print(rs.map((r) => `${r.name}${r.group ? `.${r.group}` : ''}\n`).join(''));
    return;
  }
  const wide = output === 'wide';
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
  const rows = rs.map((r) => [
    r.name, r.shortNames.join(','), r.groupVersion, String(r.namespaced), r.kind,
    ...(wide ? [[...new Set(r.verbs)].sort().join(','), r.categories.join(',')] : []),
  ]);
  ctx.print(tabwrite(bool(p, 'no-headers') ? rows : [header, ...rows]));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const command: Command = {
  short: 'Print the supported API resources on the server',
  flags: {
    output: { short: 'o' },
    namespaced: { bool: true },
    'api-group': {},
    'no-headers': { bool: true },
    'sort-by': {},
    verbs: { multi: true },
    categories: { multi: true },
    cached: { bool: true },
  },
  run,
};
