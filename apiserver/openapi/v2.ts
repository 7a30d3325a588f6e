// The Swagger 2.0 document served at /openapi/v2, which kubectl 1.27-1.28 reads on every apply (validation, patch
// merge keys) and newer kubectl falls back to for kinds it cannot find in v3. It is derived from the v3 documents, so
// the two always describe the same kinds with the same schemas: definitions are every schema the v3 documents carry,
// paths are theirs in Swagger 2.0 form. The JSON text, its protobuf form (v2-proto.ts) and the ETag are built once
// per set of documents and rebuilt only when the served kinds change.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../lib/util/package-root.js';
import type { Schema } from '../../lib/api/schema/index.js';
import { refsToV2, toV2 } from './convert.js';
import { openapiV3ForGroupVersion, openapiV3Paths, type OpenAPIV3Document } from './index.js';
import type { Parameter } from './params.js';
import type { Operation, PathItem } from './paths.js';
import { encodeSwaggerProto } from './v2-proto.js';
import type { KindRegistry } from '../registry/registry.js';

type Json = Record<string, unknown>;

/**
 * The v3 documents of everything the registry serves, one per group/version. The one place v2 reads what the server
 * serves: the same objects until a kind is registered (index.ts builds them once per registry generation), so
 * servedSwagger rebuilds only then.
 */
export function servedV3Documents(kinds: KindRegistry): OpenAPIV3Document[] {
  return openapiV3Paths(kinds).map((p) => openapiV3ForGroupVersion(kinds, p)).filter((d): d is OpenAPIV3Document => d !== undefined);
}

const INFO = { title: 'Kubernetes', version: 'unversioned' };
const BEARER = { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } };

/** A v3 schema back in the form it was written in: `allOf: [{$ref}]` with siblings is a `$ref` with siblings again. */
function unwrapV3(s: unknown): Schema {
  if (Array.isArray(s)) return s.map(unwrapV3) as unknown as Schema;
  if (!s || typeof s !== 'object') return s as Schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, unwrapV3(ps)]));
    else if (k === 'items' || k === 'additionalProperties' || k === 'allOf' || k === 'oneOf' || k === 'anyOf') out[k] = typeof v === 'boolean' ? v : unwrapV3(v);
    else out[k] = v;
  }
  const allOf = out.allOf as Schema[] | undefined;
  if (allOf?.length === 1 && allOf[0].$ref && Object.keys(allOf[0]).length === 1) {
    delete out.allOf;
    return { $ref: allOf[0].$ref, ...out } as Schema;
  }
  return out as Schema;
}

function param(p: Parameter): Json {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), type: p.schema.type, uniqueItems: true };
}

/** A v3 operation in Swagger 2.0 form: a body parameter, consumes/produces, response schemas. */
function v2Operation(op: Operation): Json {
  const parameters: Json[] = [];
  if (op.requestBody) {
    const first = Object.values(op.requestBody.content)[0];
    parameters.push({ in: 'body', name: 'body', required: true, schema: refsToV2(first.schema) });
  }
  parameters.push(...(op.parameters ?? []).map(param));
  const responses: Json = {};
  const produces = new Set<string>();
  for (const [code, r] of Object.entries(op.responses)) {
    const types = r.content ? Object.keys(r.content) : [];
    types.forEach((t) => produces.add(t));
    responses[code] = r.content ? { description: r.description, schema: refsToV2(Object.values(r.content)[0].schema) } : { description: r.description };
  }
  return {
    consumes: op.requestBody ? Object.keys(op.requestBody.content) : ['*/*'],
    description: op.description,
    operationId: op.operationId,
    ...(parameters.length ? { parameters } : {}),
    produces: [...produces],
    responses,
    schemes: ['https'],
    tags: op.tags,
    'x-kubernetes-action': op['x-kubernetes-action'],
    ...(op['x-kubernetes-group-version-kind'] ? { 'x-kubernetes-group-version-kind': op['x-kubernetes-group-version-kind'] } : {}),
  };
}

function v2PathItem(item: PathItem): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(item)) {
    out[key] = key === 'parameters' ? (value as Parameter[]).map(param) : v2Operation(value as Operation);
  }
  return out;
}

/** The Swagger 2.0 document of a set of v3 documents. */
export function swaggerOf(docs: readonly OpenAPIV3Document[]): Json {
  const schemas = new Map<string, unknown>();
  const paths = new Map<string, PathItem>();
  for (const d of docs) {
    for (const [name, s] of Object.entries(d.components.schemas)) schemas.set(name, s);
    for (const [p, item] of Object.entries(d.paths)) paths.set(p, item);
  }
  const definitions: Json = {};
  for (const name of [...schemas.keys()].sort()) definitions[name] = toV2(unwrapV3(schemas.get(name)), name);
  return {
    definitions,
    info: INFO,
    paths: Object.fromEntries([...paths.keys()].sort().map((p) => [p, v2PathItem(paths.get(p) as PathItem)])),
    security: [{ BearerToken: [] }],
    securityDefinitions: BEARER,
    swagger: '2.0',
  };
}

/** What /openapi/v2 serves, built once per set of documents. */
export interface ServedSwagger {
  json: Buffer;
  /** gnostic's openapi.v2.Document. */
  proto(): Buffer;
  /** `"<SHA-512 of the JSON, upper-case hex>"`, the same for both forms, as Kubernetes' kube-openapi sets it. */
  etag: string;
  /** When this version of the document was built (Last-Modified). */
  lastModified: Date;
  /** The gzipped bodies, when they were built beside them (off the event loop). */
  gzipped?: { json: Buffer; proto: Buffer };
}

/** The Swagger document's JSON text, protobuf form and ETag. */
export function swaggerBodies(docs: readonly OpenAPIV3Document[]): { doc: Json; json: Buffer; proto: Buffer; etag: string } {
  const doc = swaggerOf(docs);
  const json = Buffer.from(JSON.stringify(doc));
  return { doc, json, proto: Buffer.from(encodeSwaggerProto(doc)), etag: etagOf(json) };
}

const etagOf = (json: Buffer): string => `"${createHash('sha512').update(json).digest('hex').toUpperCase()}"`;
// HTTP dates have whole seconds; a If-Modified-Since equal to it must count as not modified
const lastModifiedNow = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);

function sameDocuments(a: readonly OpenAPIV3Document[], b: readonly OpenAPIV3Document[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

let built: { from: OpenAPIV3Document[]; served: ServedSwagger & { doc: Json } } | undefined;

/** The Swagger 2.0 document of `docs` (servedV3Documents) and its bodies, built on this thread, rebuilt only when they
 * have changed. */
export function servedSwagger(docs: OpenAPIV3Document[]): ServedSwagger & { doc: Json } {
  if (built && sameDocuments(built.from, docs)) return built.served;
  const doc = swaggerOf(docs);
  const json = Buffer.from(JSON.stringify(doc));
  let proto: Buffer | undefined;
  const served = { doc, json, proto: () => (proto ??= Buffer.from(encodeSwaggerProto(doc))), etag: etagOf(json), lastModified: lastModifiedNow() };
  built = { from: docs, served };
  return served;
}

let cache: { from: OpenAPIV3Document[]; served: ServedSwagger } | undefined;

let building: { from: OpenAPIV3Document[]; served: Promise<ServedSwagger> } | undefined;

/**
 * servedSwagger's bodies built on a worker thread (swagger-worker.ts), so that the API server keeps answering while
 * they are built; concurrent first requests share one build. Where no worker can run, they are built here.
 */
export function servedSwaggerOffThread(docs: OpenAPIV3Document[]): Promise<ServedSwagger> {
  if (cache && sameDocuments(cache.from, docs)) return Promise.resolve(cache.served);
  if (building && sameDocuments(building.from, docs)) return building.served;
  const served = buildOnWorker(docs).then((b): ServedSwagger => {
    const s: ServedSwagger = { json: b.json, proto: () => b.proto, etag: b.etag, lastModified: lastModifiedNow(),
      gzipped: { json: b.jsonGzip, proto: b.protoGzip } };
    if (building?.from === docs) cache = { from: docs, served: s };
    return s;
  }, () => {
    const s = servedSwagger(docs);
    if (building?.from === docs) cache = { from: docs, served: s };
    return s;
  }).finally(() => {
    if (building?.from === docs) building = undefined;
  });
  building = { from: docs, served };
  return served;
}

interface WorkerBodies { json: Buffer; proto: Buffer; etag: string; jsonGzip: Buffer; protoGzip: Buffer }

/** The worker's module: beside the bundle's programs when running from it, else beside this module. */
function workerUrl(): URL {
  return import.meta.url.includes('/dist/bundle/')
    ? pathToFileURL(join(packageRoot(import.meta.url), 'dist', 'bundle', 'openapi-v2-worker.mjs'))
    : new URL('./swagger-worker.js', import.meta.url);
}

function buildOnWorker(docs: OpenAPIV3Document[]): Promise<WorkerBodies> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl(), { workerData: { docs } });
    w.once('message', (m: { json: Uint8Array; proto: Uint8Array; etag: string; jsonGzip: Uint8Array; protoGzip: Uint8Array }) => {
      const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      resolve({ json: buf(m.json), proto: buf(m.proto), etag: m.etag, jsonGzip: buf(m.jsonGzip), protoGzip: buf(m.protoGzip) });
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the /openapi/v2 worker exited with ${code}`)));
  });
}

/** GET /openapi/v2: the Swagger 2.0 document, as JSON. */
export function openapiV2(kinds: KindRegistry): Json {
  return swaggerOf(servedV3Documents(kinds));
}
