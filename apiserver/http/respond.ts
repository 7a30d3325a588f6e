// Writing responses: JSON or YAML bodies, Table conversion for kubectl, Status objects for errors, and the
// Warning headers Kubernetes uses to tell clients about dropped fields.
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { KubeObject } from '../../lib/api/types.js';
import { buildTable, type Printer } from '../printers/index.js';
import type { ApiError } from '../errors.js';
import type { Output } from './negotiate.js';
import { listJson, objectJson } from './encode.js';

export interface Reply {
  res: ServerResponse;
  out: Output;
  warnings: string[];
  /** includeObject for tables: None, Metadata (default) or Object. */
  includeObject: 'None' | 'Metadata' | 'Object';
}

/** How much warning text one response carries before warnings are cut to 256 characters, then dropped (Kubernetes). */
const WARNING_TOTAL_RUNES = 4 * 1024;
const WARNING_ITEM_RUNES = 256;

/**
 * The Warning headers, as Kubernetes' warning recorder writes them: each text once, none that is empty or holds a
 * control character or broken UTF-16 (Go refuses those), at most 4096 characters of text in all (past that every
 * warning is cut to 256 characters, and more are dropped), so a body with 20,000 unknown fields does not make
 * headers no client will read.
 */
export function writeWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const w of warnings) {
    if (!w || seen.has(w) || /\p{Cc}|\p{Cs}/u.test(w)) continue;
    seen.add(w);
    texts.push(w);
  }
  const runes = (t: string) => [...t].length;
  const cut = (t: string) => [...t].slice(0, WARNING_ITEM_RUNES).join('');
  let written = 0;
  let out: string[] = [];
  let truncating = false;
  for (const [i, t] of texts.entries()) {
    if (truncating) {
      if (written >= WARNING_TOTAL_RUNES) break;
      out.push(cut(t));
      written += runes(cut(t));
    } else if (written + runes(t) <= WARNING_TOTAL_RUNES) {
      out.push(t);
      written += runes(t);
    } else {
      // past the limit: everything so far is written again cut short, and later ones only while there is room
      truncating = true;
      out = texts.slice(0, i + 1).map(cut);
      written = out.reduce((n, x) => n + runes(x), 0);
    }
  }
  if (out.length) res.setHeader('Warning', out.map(warningHeader));
}

/**
 * `299 - "text"`, quoted as Go's makeQuotedString does; text beyond Latin-1 goes out as UTF-8 bytes, as Go writes
 * it (Node refuses header text it cannot write as Latin-1, and a throw here would answer 500 for a write made).
 */
function warningHeader(text: string): string {
  return Buffer.from(`299 - "${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`, 'utf8').toString('latin1');
}

export function sendJson(res: ServerResponse, code: number, body: unknown, format: 'json' | 'yaml' = 'json', contentType?: string): void {
  if (res.headersSent) return;
  const text = format === 'yaml' ? toYaml(body) : JSON.stringify(body);
  res.statusCode = code;
  res.setHeader('Content-Type', contentType ?? (format === 'yaml' ? 'application/yaml' : 'application/json'));
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(text);
}

export function sendError(res: ServerResponse, e: ApiError): void {
  sendJson(res, e.code, e.toStatus());
}

/** Sends an object of a kind: as a Table when the client asked for one, with the kind's columns. */
export function sendObject(r: Reply, code: number, kind: { printer: Printer }, obj: KubeObject): void {
  writeWarnings(r.res, r.warnings);
  if (r.out.table) {
    sendJson(r.res, code, buildTable(kind, [obj], { now: new Date(), includeObject: r.includeObject, resourceVersion: obj.metadata.resourceVersion,
      tableVersion: r.out.tableVersion }));
    return;
  }
  if (r.out.format === 'json' && !r.res.headersSent) {
    // the serialized form is shared: the watch cache holds the very object a write answers with (and a GET serves),
    // so its watchers and later reads send these bytes again instead of serializing the object once more
    r.res.statusCode = code;
    r.res.setHeader('Content-Type', 'application/json');
    r.res.setHeader('Cache-Control', 'no-cache, private');
    r.res.end(objectJson(obj));
    return;
  }
  sendJson(r.res, code, obj, r.out.format);
}

type List = { apiVersion: string; kind: string; metadata: Record<string, unknown>; items: KubeObject[] };

export function sendList(r: Reply, kind: { printer: Printer }, list: List): void {
  writeWarnings(r.res, r.warnings);
  if (r.out.table) {
    const md = list.metadata as { resourceVersion?: string; continue?: string; remainingItemCount?: number };
    sendJson(r.res, 200, buildTable(kind, list.items, { now: new Date(), includeObject: r.includeObject, resourceVersion: md.resourceVersion,
      continue: md.continue, remainingItemCount: md.remainingItemCount, tableVersion: r.out.tableVersion }));
    return;
  }
  if (r.out.format === 'json' && !r.res.headersSent) {
    r.res.statusCode = 200;
    r.res.setHeader('Content-Type', 'application/json');
    r.res.setHeader('Cache-Control', 'no-cache, private');
    r.res.end(listJson(list.apiVersion, list.kind, list.metadata, list.items));
    return;
  }
  sendJson(r.res, 200, list, r.out.format);
}
