// `get -w` / `--watch-only`: print what exists (as a Table or with the -o printer), then watch from the list's
// resourceVersion and print each changed object as it arrives, the way kubectl does: table rows without a repeated
// header and aligned with what was printed before, objects one by one for json/yaml/name/jsonpath/custom-columns.
// Runs until the server ends the watch (exit 0) or SIGINT (exit 1, as kubectl's interrupt handler exits).
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import { resourcePath } from '../../lib/client/rest.js';
import { watch as watchEvents } from '../../lib/client/watch.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { type Table, kindRef, tableLines, toJson, toYaml } from './output.js';
import { columnLines } from './columns.js';
import { TabWriter } from './tabwriter.js';
import { hidesManagedFields, jsonPathText, TABLE, type Printer } from './get.js';


/** Streams the events of a watch URL, asking for the given representation (Tables or plain objects). */
/** Prints objects one at a time as kubectl's printers do when called once per object. */
class ObjectPrinter {
  private lastColumns = '';
  private columnsHeaderDone = false;
  private yamlDocs = 0;
  readonly w: TabWriter;
  constructor(private readonly ctx: Ctx, private readonly p: Parsed, private readonly printer: Printer, private readonly kind: KindInfo) {
    this.w = new TabWriter((s) => ctx.print(s));
  }

  /** A Table (initial list or watch event); rows are left out when `output` is false but columns are still learnt. */
  table(t: Table, output: boolean): void {
    const defs = t.columnDefinitions?.length ? t.columnDefinitions : undefined;
    const key = defs ? JSON.stringify(defs) : this.lastColumns;
    const printedBefore = this.columnsHeaderDone && key === this.lastColumns;
    if (key !== this.lastColumns) {
      this.lastColumns = key;
      this.columnsHeaderDone = false;
    }
    const rows = output ? t.rows : [];
    if (!rows.length) return;
    this.columnsHeaderDone = true;
    const lines = tableLines({ columnDefinitions: JSON.parse(this.lastColumns) as Table['columnDefinitions'], rows }, {
      wide: this.printer.kind === 'table' && this.printer.wide, withNamespace: this.ctx.allNamespaces && this.kind.namespaced,
      showLabels: bool(this.p, 'show-labels'), noHeaders: printedBefore || bool(this.p, 'no-headers'),
    });
    this.w.write(lines.map((l) => l.join('\t') + '\n').join(''));
  }

  object(o: KubeObject): void {
    const pr = this.printer;
    if (hidesManagedFields(this.p, pr.kind)) delete o.metadata.managedFields;
    const obj = { apiVersion: apiVersionOf(this.kind), kind: this.kind.kind, ...o };
    if (pr.kind === 'json') this.w.write(toJson(obj));
    else if (pr.kind === 'yaml') this.w.write((this.yamlDocs++ ? '---\n' : '') + toYaml(obj));
    else if (pr.kind === 'name') this.w.write(`${kindRef(this.kind)}/${o.metadata.name}\n`);
    else if (pr.kind === 'jsonpath') this.w.write(jsonPathText(pr, obj));
    else if (pr.kind === 'columns') {
      const { text, error } = columnLines(pr.columns, [obj], this.columnsHeaderDone || bool(this.p, 'no-headers'));
      this.columnsHeaderDone = true;
      this.w.write(text);
      if (error) throw error;
    }
  }
}

export async function watch(ctx: Ctx, p: Parsed, printer: Printer, reqs: { kind: KindInfo; names: string[] }[]): Promise<void> {
  const only = bool(p, 'watch-only');
  if (reqs.length !== 1) throw new CliError('error: you may only specify a single resource type');
  const { kind, names } = reqs[0] as { kind: KindInfo; names: string[] };
  if (str(p, 'sort-by')) ctx.warn(only ? 'warning: --watch-only requested, --sort-by will be ignored\n' : 'warning: --watch requested, --sort-by will be ignored for watch events received\n');
  const ns = kind.namespaced && !ctx.allNamespaces ? ctx.namespace : undefined;
  const name = names[0];
  const selector = str(p, 'selector');
  const table = printer.kind === 'table';
  const out = new ObjectPrinter(ctx, p, printer, kind);
  if (names.length > 1) {
    // kubectl prints the named objects, then refuses to watch more than one.
    for (const n of names) {
      if (table) out.table(await ctx.getRaw<Table>(resourcePath(kind, ns, n), TABLE), !only);
      else if (!only) out.object(await ctx.client.get(kind, n, { namespace: ns }));
    }
    out.w.flush();
    throw new CliError('error: you may only watch a single resource or type of resource at a time');
  }

  // What exists now, and the resourceVersion to watch from ("0" for one object: the watch then starts with a
  // synthetic ADDED event for it, which is not printed again).
  let rv = '0';
  const q = new URLSearchParams();
  if (selector) q.set('labelSelector', selector);
  if (table) {
    const t = await ctx.getRaw<Table & { metadata?: { resourceVersion?: string } }>(name ? resourcePath(kind, ns, name) : `${resourcePath(kind, ns)}?${q}`, TABLE);
    if (!name) rv = t.metadata?.resourceVersion ?? '0';
    out.table(t, !only);
  } else if (name) {
    const o = await ctx.client.get(kind, name, { namespace: ns });
    if (!only) out.object(o);
  } else {
    const list = await ctx.client.listAll(kind, { namespace: ns ?? '', labelSelector: selector });
    rv = list.metadata.resourceVersion ?? '0';
    if (!only) for (const o of list.items) out.object(o);
  }
  out.w.flush();
  let skipFirst = !!name;

  const abort = new AbortController();
  const onInt = () => {
    ctx.exitCode = 1;
    abort.abort();
  };
  process.once('SIGINT', onInt);
  try {
    const opts = { namespace: ns ?? '', labelSelector: selector, fieldSelector: name ? `metadata.name=${name}` : undefined, resourceVersion: rv, accept: table ? TABLE : undefined, signal: abort.signal };
    for await (const ev of watchEvents<unknown>(ctx.client, kind, opts)) {
      if (ev.type === 'BOOKMARK') continue;
      if (table) out.table(ev.object as Table, !skipFirst);
      else if (!skipFirst) out.object(ev.object as KubeObject);
      skipFirst = false;
      out.w.flush();
    }
  } finally {
    process.removeListener('SIGINT', onInt);
    out.w.flush();
  }
}
