// `get`: server-side Tables printed like kubectl, or the objects as json/yaml/name/jsonpath/custom-columns;
// `all` (the kinds in the `all` category), `--sort-by`, and `-w`/`--watch-only` (in getwatch.ts).
import { apiVersionOf, KINDS, type KindInfo } from '../../lib/api/kinds.js';
import { ApiError, resourcePath } from '../../lib/client/rest.js';
import type { KubeList, KubeObject } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import type { Command } from './command.js';
import { targets } from './targets.js';
import { type Table, kindRef, tableLines, toJson, toYaml } from './output.js';
import { tabwrite } from './tabwriter.js';
import { executeJsonPath, parseJsonPath, type Template } from './jsonpath.js';
import { type Column, columnLines, columnsFromFile, columnsFromSpec, sortOrder } from './columns.js';
import { TabWriter } from './tabwriter.js';
import { goFileError, goQuote, goSyntax } from './gofmt.js';
import { readFileSync } from 'node:fs';

export const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

const FORMATS = 'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

/** What -o asked for, with its template or columns already read and parsed (errors worded as kubectl's). */
export type Printer =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' | 'yaml' | 'name' }
  | { kind: 'jsonpath'; template: Template; allowMissing: boolean; asJson: boolean }
  | { kind: 'columns'; columns: Column[] };

export function printerFor(p: Parsed): Printer {
  const output = str(p, 'output') ?? '';
  const template = str(p, 'template') ?? '';
  if (bool(p, 'show-labels') && output !== '' && output !== 'wide') throw new CliError(`error: --show-labels option cannot be used with ${output} printer`);
  if (output === '' || output === 'wide') return { kind: 'table', wide: output === 'wide' };
  if (output === 'json' || output === 'yaml' || output === 'name') return { kind: output };
  const [format, ...rest] = output.split('=');
  let value = template || (output.includes('=') ? rest.join('=') : '');
  if (format === 'jsonpath' || format === 'jsonpath-file' || format === 'jsonpath-as-json') {
    if (!value) throw new CliError('error: template format specified but no template given');
    if (format === 'jsonpath-file') {
      try {
        value = readFileSync(value, 'utf8');
      } catch (e) {
        throw new CliError(`error: error reading --template ${value}, ${goFileError(e, value)}`);
      }
    }
    try {
      return { kind: 'jsonpath', template: parseJsonPath(value), allowMissing: str(p, 'allow-missing-template-keys') !== 'false', asJson: format === 'jsonpath-as-json' };
    } catch (e) {
      throw new CliError(`error: error parsing jsonpath ${value}, ${(e as Error).message}`);
    }
  }
  if (format === 'custom-columns') return { kind: 'columns', columns: columnsFromSpec(value) };
  if (format === 'custom-columns-file') {
    if (!value) throw new CliError('error: custom-columns format specified but no custom columns given');
    return { kind: 'columns', columns: columnsFromFile(value) };
  }
  if (['go-template', 'go-template-file', 'template', 'templatefile'].includes(format as string)) throw new CliError(`error: flotctl does not support -o ${format} (use jsonpath or custom-columns)`);
  throw new CliError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS}`);
}

/** Prints data (one object, or a v1 List) with a jsonpath template; a failure is worded as kubectl words it. */
export function jsonPathText(pr: Extract<Printer, { kind: 'jsonpath' }>, data: unknown): string {
  try {
    return executeJsonPath(pr.template, data, pr.allowMissing, pr.asJson);
  } catch (e) {
    const raw = pr.template.raw;
    throw new CliError(`error: error executing jsonpath ${goQuote(raw)}: Error executing template: ${(e as Error).message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${raw}\n\tobject given to jsonpath engine was:\n\t\t${goSyntax(data)}\n\n`);
  }
}

/** `all` in a type list means every kind of the `all` category the server has, in discovery order. */
function expandAll(args: string[]): string[] {
  if (!args.length || args[0]?.includes('/')) return args;
  const [types, ...names] = args as [string, ...string[]];
  const expanded = types.split(',').flatMap((t) => (t.toLowerCase() === 'all' ? KINDS.filter((k) => k.categories.includes('all')).map((k) => k.resource) : [t]));
  return [expanded.join(','), ...names];
}

export async function get(ctx: Ctx, p: Parsed): Promise<void> {
  const printer = printerFor(p);
  const selector = str(p, 'selector');
  const all = ctx.allNamespaces;
  const sortBy = str(p, 'sort-by') ?? '';
  const reqs = targets(ctx, expandAll(p.args));
  if (bool(p, 'watch') || bool(p, 'watch-only')) {
    const { watch } = await import('./getwatch.js');
    return watch(ctx, p, printer, reqs);
  }
  if (selector && reqs.some((r) => r.names.length)) throw new CliError('error: name cannot be provided when a selector is specified');
  const ns = (k: KindInfo) => (k.namespaced && !all ? ctx.namespace : undefined);
  const errors: unknown[] = [];
  const single = reqs.length === 1 && reqs[0]?.names.length === 1;

  if (printer.kind === 'table') {
    const withKind = reqs.length > 1;
    let printed = 0;
    for (const { kind, names } of reqs) {
      const tables: Table[] = [];
      const q = new URLSearchParams();
      if (sortBy) q.set('includeObject', 'Object');
      if (names.length) {
        for (const n of names) {
          try {
            tables.push(await ctx.getRaw<Table>(`${resourcePath(kind, ns(kind), n)}${sortBy ? `?${q}` : ''}`, TABLE));
          } catch (e) {
            errors.push(e);
          }
        }
      } else {
        q.set('limit', '500');
        if (selector) q.set('labelSelector', selector);
        tables.push(await ctx.getRaw<Table>(`${resourcePath(kind, ns(kind))}?${q}`, TABLE));
      }
      let rows = tables.flatMap((t) => t.rows);
      if (!rows.length || !tables[0]) continue;
      if (sortBy) {
        // kubectl ignores the table printer's errors: a kind whose rows cannot be sorted prints nothing.
        let order: number[];
        try {
          order = sortOrder(rows.map((r) => r.object), sortBy);
        } catch {
          continue;
        }
        rows = order.map((i) => rows[i] as Table['rows'][number]);
      }
      const lines = tableLines({ columnDefinitions: tables[0].columnDefinitions, rows }, {
        wide: printer.wide, withNamespace: all && kind.namespaced, withKind: withKind ? kind : undefined, showLabels: bool(p, 'show-labels'), noHeaders: bool(p, 'no-headers'),
      });
      // kubectl separates the tables of different kinds with one empty line.
      ctx.print((printed++ ? '\n' : '') + tabwrite(lines));
    }
    if (!printed && !errors.length) {
      const everyNamespaced = reqs.every((r) => r.kind.namespaced);
      ctx.warn(everyNamespaced && !all ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
    }
  } else {
    let objects: KubeObject[] = [];
    let kinds: KindInfo[] = [];
    for (const { kind, names } of reqs) {
      const typed = (o: KubeObject) => {
        kinds.push(kind);
        if (hidesManagedFields(p, printer.kind)) delete o.metadata.managedFields;
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
    const asOne = single && objects.length === 1;
    if (sortBy && !asOne && objects.length) {
      const order = sortOrder(objects, sortBy);
      [objects, kinds] = [order.map((i) => objects[i] as KubeObject), order.map((i) => kinds[i] as KindInfo)];
    }
    // A list request, even of one object, prints a v1 List, as kubectl does.
    const data = asOne ? objects[0] : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
    if (single && !objects.length) {
      // `get TYPE NAME` that failed prints only the error; a list request prints its (maybe empty) List.
    } else if (printer.kind === 'name') {
      ctx.print(objects.map((o, i) => `${kindRef(kinds[i] as KindInfo)}/${o.metadata.name}\n`).join(''));
    } else if (printer.kind === 'json' || printer.kind === 'yaml') {
      ctx.print(printer.kind === 'json' ? toJson(data) : toYaml(data));
    } else if (printer.kind === 'jsonpath') {
      ctx.print(jsonPathText(printer, data));
    } else if (printer.kind === 'columns') {
      const { text, error } = columnLines(printer.columns, objects, bool(p, 'no-headers'));
      const w = new TabWriter((s) => ctx.print(s));
      w.write(text);
      w.flush();
      if (error) throw error;
    }
  }
  for (const e of errors) ctx.fail(e);
}

export function notFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export const command: Command = {
  short: 'Display one or many resources',
  flags: {
    output: { short: 'o' }, selector: { short: 'l' }, 'show-labels': { bool: true }, 'no-headers': { bool: true }, 'show-managed-fields': { bool: true },
    watch: { short: 'w', bool: true }, 'watch-only': { bool: true }, 'sort-by': {}, 'allow-missing-template-keys': { bool: true }, template: {},
  },
  run: get,
};

/**
 * kubectl hides managedFields from -o json and -o yaml unless --show-managed-fields; jsonpath and custom columns see
 * the object as served (`-o jsonpath={.metadata.managedFields}` prints them).
 */
export function hidesManagedFields(p: Parsed, printerKind: string): boolean {
  return (printerKind === 'json' || printerKind === 'yaml') && !bool(p, 'show-managed-fields');
}
