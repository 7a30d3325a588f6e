// `get`: server-side Tables printed like kubectl, or the objects as json/yaml/name.
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import { ApiError, resourcePath } from '../../lib/client/index.js';
import type { KubeList, KubeObject } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import type { Command } from './command.js';
import { targets } from './targets.js';
import { type Table, kindRef, tableLines, tabwrite, toJson, toYaml } from './output.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export async function get(ctx: Ctx, p: Parsed): Promise<void> {
  const output = str(p, 'output') ?? '';
  if (!['', 'wide', 'json', 'yaml', 'name'].includes(output)) throw new CliError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,wide,yaml`);
  const selector = str(p, 'selector');
  const all = ctx.allNamespaces;
  const reqs = targets(ctx, p.args);
  if (selector && reqs.some((r) => r.names.length)) throw new CliError('error: name cannot be provided when a selector is specified');
  const ns = (k: KindInfo) => (k.namespaced && !all ? ctx.namespace : undefined);
  const errors: unknown[] = [];
  const single = reqs.length === 1 && reqs[0]?.names.length === 1;

  if (output === '' || output === 'wide') {
    const withKind = reqs.length > 1;
    let printed = 0;
    for (const { kind, names } of reqs) {
      const tables: Table[] = [];
      if (names.length) {
        for (const n of names) {
          try {
            tables.push(await ctx.getRaw<Table>(resourcePath(kind, ns(kind), n), TABLE));
          } catch (e) {
            errors.push(e);
          }
        }
      } else {
        const q = new URLSearchParams({ limit: '500' });
        if (selector) q.set('labelSelector', selector);
        tables.push(await ctx.getRaw<Table>(`${resourcePath(kind, ns(kind))}?${q}`, TABLE));
      }
      const rows = tables.flatMap((t) => t.rows);
      if (!rows.length || !tables[0]) continue;
      const lines = tableLines({ columnDefinitions: tables[0].columnDefinitions, rows }, {
        wide: output === 'wide', withNamespace: all && kind.namespaced, withKind: withKind ? kind : undefined, showLabels: bool(p, 'show-labels'), noHeaders: bool(p, 'no-headers'),
      });
      // kubectl separates the tables of different kinds with one empty line.
      ctx.print((printed++ ? '\n' : '') + tabwrite(lines));
    }
    if (!printed && !errors.length) {
      const everyNamespaced = reqs.every((r) => r.kind.namespaced);
      ctx.warn(everyNamespaced && !all ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
    }
  } else {
    const objects: KubeObject[] = [];
    const kinds: KindInfo[] = [];
    for (const { kind, names } of reqs) {
      const typed = (o: KubeObject) => {
        kinds.push(kind);
        // kubectl hides managedFields unless --show-managed-fields.
        if (!bool(p, 'show-managed-fields')) delete o.metadata.managedFields;
        return { apiVersion: apiVersionOf(kind), kind: kind.kind, ...o };
      };
      if (names.length) {
        for (const n of names) {
          try {
            objects.push(typed(await ctx.client.get(kind, n, { namespace: ns(kind) })));
          } catch (e) {
            errors.push(e);
          }
        }
      } else {
        const list: KubeList = await ctx.client.listAll(kind, { namespace: ns(kind) ?? '', labelSelector: selector });
        objects.push(...list.items.map(typed));
      }
    }
    if (output === 'name') {
      ctx.print(objects.map((o, i) => `${kindRef(kinds[i] as KindInfo)}/${o.metadata.name}\n`).join(''));
    } else if (single && objects.length === 1) {
      ctx.print(output === 'json' ? toJson(objects[0]) : toYaml(objects[0]));
    } else if (objects.length || !errors.length) {
      // A list request, even of one object, prints a v1 List, as kubectl does.
      const list = { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
      ctx.print(output === 'json' ? toJson(list) : toYaml(list));
    }
  }
  for (const e of errors) ctx.fail(e);
}

export function notFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export const command: Command = {
  short: 'Display one or many resources',
  flags: { output: { short: 'o' }, selector: { short: 'l' }, 'show-labels': { bool: true }, 'no-headers': { bool: true }, 'show-managed-fields': { bool: true } },
  run: get,
};
