// `get -w` / `--watch-only`: print what exists (as a Table or with the -o printer), then watch from the list's
// resourceVersion and print each changed object as it arrives, the way kubectl does: table rows without a repeated
// header and aligned with what was printed before, objects one by one for json/yaml/name/jsonpath/custom-columns.
// Runs until the server ends the watch (exit 0) or SIGINT (exit 1, as kubectl's interrupt handler exits).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import { ApiError, resourcePath } from '../../lib/client/rest.js';
import type { KubeObject, Status } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { type Table, kindRef, tableLines, toJson, toYaml } from './output.js';
import { columnLines } from './columns.js';
import { TabWriter } from './tabwriter.js';
import { jsonPathText, TABLE, type Printer } from './get.js';

type Event = { type: string; object: unknown };

/** Streams the events of a watch URL, asking for the given representation (Tables or plain objects). */
async function* events(ctx: Ctx, path: string, accept: string, signal: AbortSignal): AsyncGenerator<Event> {
  const c = ctx.config;
  const url = new URL(path, c.server);
  const headers: Record<string, string> = { Accept: accept };
  if (c.token) headers.Authorization = `Bearer ${c.token}`;
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { headers, signal, ca: c.caData, cert: c.certData, key: c.keyData, rejectUnauthorized: !c.insecureSkipTLSVerify }, resolve);
    req.on('error', reject);
    req.end();
  });
  let buf = '';
  try {
    if ((res.statusCode ?? 0) >= 400) {
      for await (const d of res) buf += (d as Buffer).toString('utf8');
      let st: Status;
      try {
        st = JSON.parse(buf) as Status;
      } catch {
        st = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: res.statusCode ?? 0, message: buf };
      }
      throw new ApiError(res.statusCode ?? 0, st);
    }
    for await (const d of res) {
      buf += (d as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as Event;
        if (ev.type === 'ERROR') throw new ApiError((ev.object as Status).code ?? 500, ev.object as Status);
        yield ev;
      }
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  }
}

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
    if (!bool(this.p, 'show-managed-fields')) delete o.metadata.managedFields;
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

  q.set('watch', '1');
  q.set('resourceVersion', rv);
  if (name) q.set('fieldSelector', `metadata.name=${name}`);
  const abort = new AbortController();
  const onInt = () => {
    ctx.exitCode = 1;
    abort.abort();
  };
  process.once('SIGINT', onInt);
  try {
    for await (const ev of events(ctx, `${resourcePath(kind, ns)}?${q}`, table ? TABLE : 'application/json', abort.signal)) {
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
