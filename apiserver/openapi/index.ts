// The OpenAPI documents kubectl and other clients read: the v3 discovery root (/openapi/v3), one v3 document per
// group/version (/openapi/v3/api/v1, /openapi/v3/apis/apps/v1...), all built from the served kinds' definitions and
// the schemas in lib/api/schema; the Swagger 2.0 document (/openapi/v2) is derived from them in v2.ts. They change
// only when a kind is registered, so each is built once per registry generation.
import { createHash } from 'node:crypto';
import type { KindDefinition } from '../registry/kind.js';
import type { KindRegistry } from '../registry/registry.js';
import { META, REF_PREFIX, components, reachableSchemas, type Schema } from '../../lib/api/schema/index.js';
import { toV3 } from './convert.js';
import { groupPrefix, pathsForKind, referencedSchemas, tagOf, type Operation, type PathItem } from './paths.js';

export interface OpenAPIV3Document {
  components: { schemas: Record<string, unknown> };
  info: { title: string; version: string };
  openapi: '3.0.0';
  paths: Record<string, PathItem>;
}

export interface OpenAPIV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

const INFO = { title: 'Kubernetes', version: 'unversioned' };

function discoveryOp(operationId: string, description: string, schema: string, tag: string): Operation {
  return {
    description,
    operationId,
    responses: {
      '200': { content: Object.fromEntries(['application/json', 'application/yaml'].map((t) => [t, { schema: { $ref: REF_PREFIX + schema } }])), description: 'OK' },
      '401': { description: 'Unauthorized' },
    },
    tags: [tag],
    'x-kubernetes-action': 'get',
  };
}

/** `own`: the schemas of kinds not in lib/api/schema (custom resources), which refer only to shared ones (ObjectMeta). */
function buildDocument(paths: Record<string, PathItem>, own: Record<string, Schema> = {}): OpenAPIV3Document {
  const all = components();
  const schemas: Record<string, unknown> = {};
  const roots = referencedSchemas(paths);
  for (const name of roots.filter((n) => Object.hasOwn(own, n))) schemas[name] = toV3(own[name] as Schema);
  const shared = [...roots, ...referencedSchemas({ own: own as unknown as PathItem })].filter((n) => !Object.hasOwn(own, n));
  for (const name of reachableSchemas(shared)) schemas[name] = toV3(all[name]);
  const sortedPaths: Record<string, PathItem> = {};
  for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p];
  return { components: { schemas }, info: INFO, openapi: '3.0.0', paths: sortedPaths };
}

/** Paths of the kinds of one group/version, with the resource list endpoint. */
function groupVersionPaths(defs: KindDefinition[]): Record<string, PathItem> {
  const k = defs[0].info;
  const word = k.group === '' ? 'Core' : tagOf(k).split('_')[0].replace(/^./, (c) => c.toUpperCase());
  const version = k.version.charAt(0).toUpperCase() + k.version.slice(1);
  const paths: Record<string, PathItem> = {
    [`${groupPrefix(k)}/`]: { get: discoveryOp(`get${word}${version}APIResources`, 'get available resources', META + 'APIResourceList', tagOf(k)) },
  };
  for (const def of defs) Object.assign(paths, pathsForKind(def));
  return paths;
}

interface Built {
  doc: OpenAPIV3Document;
  body: string;
  hash: string;
}

const built = new WeakMap<KindRegistry, { generation: number; docs: Map<string, Built> }>();

function hashOf(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function buildAll(kinds: KindRegistry): Map<string, Built> {
  const docs = new Map<string, OpenAPIV3Document>();
  docs.set('api', buildDocument({ '/api/': { get: discoveryOp('getCoreAPIVersions', 'get available API versions', META + 'APIVersions', 'core') } }));
  docs.set('apis', buildDocument({ '/apis/': { get: discoveryOp('getAPIVersions', 'get available API versions', META + 'APIGroupList', 'apis') } }));
  const byGv = new Map<string, KindDefinition[]>();
  for (const def of kinds.all()) {
    const key = groupPrefix(def.info).slice(1);
    byGv.set(key, [...(byGv.get(key) ?? []), def]);
  }
  for (const g of kinds.groups()) {
    const word = g.split('.')[0];
    docs.set(`apis/${g}`, buildDocument({ [`/apis/${g}/`]: { get: discoveryOp(`get${word.charAt(0).toUpperCase()}${word.slice(1)}APIGroup`, 'get information of a group', META + 'APIGroup', word) } }));
  }
  for (const [gv, kinds] of byGv) {
    const own = Object.assign({}, ...kinds.map((d) => d.ownSchema?.schemas ?? {})) as Record<string, Schema>;
    docs.set(gv, buildDocument(groupVersionPaths(kinds), own));
  }
  const out = new Map<string, Built>();
  for (const [key, doc] of [...docs].sort(([a], [b]) => a.localeCompare(b))) {
    const body = JSON.stringify(doc);
    out.set(key, { doc, body, hash: hashOf(body) });
  }
  return out;
}

function documents(kinds: KindRegistry): Map<string, Built> {
  let b = built.get(kinds);
  if (!b || b.generation !== kinds.generation) {
    b = { generation: kinds.generation, docs: buildAll(kinds) };
    built.set(kinds, b);
  }
  return b.docs;
}

/** The document paths served under /openapi/v3/ (`api`, `api/v1`, `apis`, `apis/apps`, `apis/apps/v1`...). */
export function openapiV3Paths(kinds: KindRegistry): string[] {
  return [...documents(kinds).keys()];
}

/** GET /openapi/v3: where each group/version's document lives, with a content hash for caching. */
export function openapiV3Root(kinds: KindRegistry): OpenAPIV3Root {
  const paths: OpenAPIV3Root['paths'] = {};
  for (const [key, b] of documents(kinds)) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${b.hash}` };
  return { paths };
}

/** GET /openapi/v3/<gv> (e.g. `api/v1`, `apis/apps/v1`); undefined for an unknown path. */
export function openapiV3ForGroupVersion(kinds: KindRegistry, gv: string): OpenAPIV3Document | undefined {
  return documents(kinds).get(gv.replace(/^\/+|\/+$/g, ''))?.doc;
}

/**
 * A group/version document serialized (exactly the bytes the hash is of) with its hash. Serve `body` as
 * application/json with `ETag: "<hash>"`; when the request's `hash` query parameter differs, Kubernetes answers with a
 * 301 to the current URL.
 */
export function openapiV3Document(kinds: KindRegistry, gv: string): { body: string; hash: string; etag: string } | undefined {
  const b = documents(kinds).get(gv.replace(/^\/+|\/+$/g, ''));
  return b ? { body: b.body, hash: b.hash, etag: `"${b.hash}"` } : undefined;
}

/** The ETag of the /openapi/v3 root document. */
export function openapiV3RootEtag(kinds: KindRegistry): string {
  return `"${hashOf(JSON.stringify(openapiV3Root(kinds)))}"`;
}
