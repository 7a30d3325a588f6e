// Writing responses: JSON or YAML bodies, Table conversion for kubectl, Status objects for errors, and the
// Warning headers Kubernetes uses to tell clients about dropped fields.
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { buildTable } from '../printers/index.js';
import type { ApiError } from '../errors.js';
import type { Output } from './negotiate.js';
import { listJson } from './encode.js';

export interface Reply {
  res: ServerResponse;
  out: Output;
  warnings: string[];
  /** includeObject for tables: None, Metadata (default) or Object. */
  includeObject: 'None' | 'Metadata' | 'Object';
}

export function writeWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
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

export function sendObject(r: Reply, code: number, kind: KindInfo, obj: KubeObject): void {
  writeWarnings(r.res, r.warnings);
  if (r.out.table) {
    sendJson(r.res, code, buildTable(kind, [obj], { now: new Date(), includeObject: r.includeObject, resourceVersion: obj.metadata.resourceVersion, tableVersion: r.out.tableVersion }));
    return;
  }
  sendJson(r.res, code, obj, r.out.format);
}

export function sendList(r: Reply, kind: KindInfo, list: { apiVersion: string; kind: string; metadata: Record<string, unknown>; items: KubeObject[] }): void {
  writeWarnings(r.res, r.warnings);
  if (r.out.table) {
    const md = list.metadata as { resourceVersion?: string; continue?: string; remainingItemCount?: number };
    sendJson(r.res, 200, buildTable(kind, list.items, { now: new Date(), includeObject: r.includeObject, resourceVersion: md.resourceVersion, continue: md.continue, remainingItemCount: md.remainingItemCount, tableVersion: r.out.tableVersion }));
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
