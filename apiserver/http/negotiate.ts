// Content negotiation: JSON (and YAML) in and out, the Table form kubectl asks for, and the aggregated discovery
// document. Protobuf is not spoken; a client that accepts only protobuf gets 406.
import { parse as parseYaml } from 'yaml';
import { errors } from '../errors.js';
import { ProtobufDecodeError, decodeKubernetesProtobuf } from '../protobuf/index.js';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.trim().split(';');
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    return { type: (type ?? '').trim().toLowerCase(), params: p };
  }).filter((m) => m.type);
}

export type Output = { format: 'json' | 'yaml'; table: boolean; tableVersion?: string };

/** Picks the response form from Accept; kubectl sends Table first, then plain JSON as a fallback. */
export function negotiate(accept: string | undefined): Output {
  const types = parseMediaTypes(accept);
  if (!types.length) return { format: 'json', table: false };
  for (const t of types) {
    if (t.params.as === 'Table' && t.params.g === 'meta.k8s.io' && (t.type === 'application/json' || t.type === '*/*')) {
      return { format: 'json', table: true, tableVersion: t.params.v ?? 'v1' };
    }
    if (t.params.as) continue; // another transformation we don't serve (e.g. PartialObjectMetadata): try the next
    if (t.type === 'application/json' || t.type === '*/*' || t.type === 'application/*') return { format: 'json', table: false };
    if (t.type === 'application/yaml') return { format: 'yaml', table: false };
  }
  // PartialObjectMetadata(List) requests fall back to full objects only if the client also accepts plain JSON.
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml (got ${accept})`);
}

/** Does the client ask for aggregated discovery (apidiscovery.k8s.io v2 or v2beta1)? */
export function wantsAggregatedDiscovery(accept: string | undefined): string | undefined {
  for (const t of parseMediaTypes(accept)) {
    if (t.params.as === 'APIGroupDiscoveryList' && t.params.g === 'apidiscovery.k8s.io' && (t.params.v === 'v2' || t.params.v === 'v2beta1')) return t.params.v;
    if (t.type === 'application/json' && !t.params.as) return undefined;
  }
  return undefined;
}

export const PATCH_TYPES = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
} as const;

export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

/** Decodes a request body by Content-Type: JSON or YAML (one document). Malformed input is a 400. */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  const type = parseMediaTypes(contentType)[0]?.type ?? 'application/json';
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(body.toString('utf8'), { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (type === 'application/json' || type in PATCH_TYPES || type === '*/*') {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubernetesProtobuf(body).object;
    } catch (e) {
      if (e instanceof ProtobufDecodeError && e.reason === 'unsupported') throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (${e.message}); send JSON`);
      throw errors.badRequest(`malformed protobuf body: ${(e as Error).message}`);
    }
  }
  throw errors.unsupportedMediaType(type);
}
