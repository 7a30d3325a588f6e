// Content negotiation: JSON (and YAML) in and out, the Table form kubectl asks for, and the aggregated discovery
// document. Protobuf is not spoken; a client that accepts only protobuf gets 406.
import { MAX_NESTING_DEPTH, valueDepth } from '../../lib/api/depth.js';
import { errors } from '../errors.js';
import { ProtobufDecodeError, decodeKubernetesProtobuf } from '../protobuf/index.js';
import { type FieldPath, scanJson } from './json-scan.js';
import { decodeYaml } from './yaml-decode.js';

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

/** What decoding found besides the value: repeated keys, as the strict decoder of each format words them. */
export type DuplicateFields = { format: 'json'; paths: FieldPath[] } | { format: 'yaml'; messages: string[] };

export interface DecodedBody {
  value: unknown;
  format: 'json' | 'yaml' | 'protobuf';
  duplicates?: DuplicateFields;
}

/**
 * Decodes a request body by Content-Type: JSON, YAML (one document) or Kubernetes protobuf. Malformed input, and
 * input nested deeper than MAX_NESTING_DEPTH, is a 400. `wantDuplicates` also reports repeated keys (JSON, YAML).
 */
export function decodeRequestBody(contentType: string | undefined, body: Buffer, wantDuplicates = false): DecodedBody {
  const type = parseMediaTypes(contentType)[0]?.type ?? 'application/json';
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      const { value, duplicates } = decodeYaml(body.toString('utf8'), MAX_NESTING_DEPTH);
      return { value, format: 'yaml', duplicates: wantDuplicates && duplicates.length ? { format: 'yaml', messages: duplicates } : undefined };
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  if (type === 'application/json' || type in PATCH_TYPES || type === '*/*') {
    const text = body.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
    const scan = scanJson(text, MAX_NESTING_DEPTH, wantDuplicates);
    if (scan.depth > MAX_NESTING_DEPTH) throw errors.badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    return { value, format: 'json', duplicates: scan.duplicates.length ? { format: 'json', paths: scan.duplicates } : undefined };
  }
  if (type === 'application/vnd.kubernetes.protobuf') {
    let value: unknown;
    try {
      value = decodeKubernetesProtobuf(body).object;
    } catch (e) {
      if (e instanceof ProtobufDecodeError && e.reason === 'unsupported') throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (${e.message}); send JSON`);
      throw errors.badRequest(`malformed protobuf body: ${(e as Error).message}`);
    }
    // embedded JSON (managedFields, RawExtension) can nest as deep as any JSON body
    if (valueDepth(value) > MAX_NESTING_DEPTH) throw errors.badRequest(`malformed protobuf body: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    return { value, format: 'protobuf' };
  }
  throw errors.unsupportedMediaType(type);
}

/** The decoded value alone (DeleteOptions and other bodies that are not checked for repeated keys). */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  return decodeRequestBody(contentType, body).value;
}
