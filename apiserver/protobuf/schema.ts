// Which kinds a protobuf body may carry, and their message types, all derived from the JSON schemas: every schema
// tagged with a group/version/kind that can be a request body gets its message generated (generate.ts) from the
// schema and the field numbers in numbers.ts, on first use and once.
import type protobuf from 'protobufjs';
import { apiVersionOf } from '../../lib/api/kinds.js';
import { META, components, type Schema } from '../../lib/api/schema/index.js';
import { FIELD_NUMBERS } from './numbers.js';
import { generateTypes, protoNameOf } from './generate.js';
import { parseNumberTable } from './table.js';

export type ProtoType = protobuf.Type;
export type ProtoField = protobuf.Field;

/** The message types of a set of schemas, and which apiVersion/kind each carries. */
export interface WireTypes {
  root: protobuf.Root;
  /** Full name of the message carrying apiVersion/kind (no leading dot), or undefined when no schema has it. */
  messageNameFor(apiVersion: string, kind: string): string | undefined;
  /** The apiVersion/kind pairs bodies may carry, e.g. `apps/v1 Deployment`, sorted. */
  supportedKinds(): string[];
  /** Field-number table entries no schema field uses (should be none). */
  unused: string[];
}

/**
 * Whether a kind's schema describes something a client may send as a body. Not lists (their metadata is ListMeta,
 * as is Status's), nor apimachinery's meta/v1 documents, which only ever go out (WatchEvent, discovery), except
 * DeleteOptions, which every group version accepts.
 */
function isRequestBody(name: string, schema: Schema): boolean {
  if (!schema['x-kubernetes-group-version-kind']?.length) return false;
  if (name.startsWith(META)) return name === `${META}DeleteOptions`;
  return !schema.properties?.metadata?.$ref?.endsWith(`${META}ListMeta`);
}

/** Generates the message types of every request-body kind in `schemas`. Throws FieldNumberError on a gap. */
export function wireTypes(schemas: Readonly<Record<string, Schema>>, numbers: Readonly<Record<string, string>>): WireTypes {
  const bodies = Object.keys(schemas).filter((name) => isRequestBody(name, schemas[name]));
  const { root, unused } = generateTypes(schemas, parseNumberTable(numbers), bodies);
  const byKind = new Map<string, string>();
  // meta/v1 kinds (DeleteOptions) are registered in every group version, so any apiVersion carries them
  const anyVersion = new Map<string, string>();
  for (const name of bodies) {
    for (const gvk of schemas[name]['x-kubernetes-group-version-kind'] ?? []) {
      if (name.startsWith(META)) anyVersion.set(gvk.kind, protoNameOf(name));
      else byKind.set(`${apiVersionOf(gvk)}/${gvk.kind}`, protoNameOf(name));
    }
  }
  return {
    root,
    unused,
    messageNameFor: (apiVersion, kind) => byKind.get(`${apiVersion}/${kind}`) ?? (apiVersion ? anyVersion.get(kind) : undefined),
    supportedKinds: () => [
      ...[...byKind.keys()].map((k) => k.replace(/\/(\w+)$/, ' $1')),
      ...[...anyVersion.keys()].map((kind) => `${kind} (any apiVersion)`),
    ].sort(),
  };
}

let served: WireTypes | undefined;
let failure: Error | undefined;

/** The message types of every kind Flotilla serves, generated on first use and shared. */
export function servedWireTypes(): WireTypes {
  if (failure) throw failure;
  if (!served) {
    try {
      served = wireTypes(components(), FIELD_NUMBERS);
    } catch (e) {
      failure = e as Error;
      throw e;
    }
  }
  return served;
}

/** The Root holding every message Flotilla decodes. */
export function protobufRoot(): protobuf.Root {
  return servedWireTypes().root;
}

/** The apiVersion/kind pairs the decoder understands, e.g. `apps/v1 Deployment`, sorted. */
export function supportedKinds(): string[] {
  return servedWireTypes().supportedKinds();
}
