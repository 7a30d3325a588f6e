// Decodes Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), which the real
// kubectl and other typed Go clients send, to the JSON object the JSON API would have received.
//
// A body is the 4-byte magic "k8s\0" and a runtime.Unknown message: typeMeta {apiVersion, kind}, raw (the object's
// own message), contentEncoding and contentType (unused by Kubernetes for requests, and ignored here as upstream
// does). The message for raw is chosen by apiVersion and kind among the kinds with a schema; see schema.ts.
import { ConversionError, messageToJson } from './convert.js';
import { servedWireTypes, type ProtoType, type WireTypes } from './schema.js';
import { MAGIC, UNKNOWN } from './wellknown.js';

export { protobufRoot, supportedKinds, wireTypes, type WireTypes } from './schema.js';
export { FieldNumberError } from './generate.js';

/** The media type of Kubernetes protobuf bodies. */
export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Why a body could not be decoded: `malformed` for bytes that are not a valid encoding (a 400 Bad Request), or
 * `unsupported` for a well-formed envelope around a kind this decoder does not know (a 415 Unsupported Media Type;
 * the client can send JSON instead).
 */
export class ProtobufDecodeError extends Error {
  constructor(readonly reason: 'malformed' | 'unsupported', message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object in JSON form, `apiVersion` and `kind` included. */
  object: Record<string, unknown>;
}

/** Whether a body starts with the Kubernetes protobuf magic prefix. */
export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && Buffer.from(body.buffer, body.byteOffset, MAGIC.length).equals(MAGIC);
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

function unwrap(body: Uint8Array, types: WireTypes): Envelope {
  if (body.length === 0) throw new ProtobufDecodeError('malformed', 'empty protobuf body');
  if (!isKubernetesProtobuf(body)) {
    throw new ProtobufDecodeError('malformed', 'the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const unknown = decode(types.root.lookupType(UNKNOWN), body.subarray(MAGIC.length), 'envelope (runtime.Unknown)');
  const typeMeta = (unknown.typeMeta ?? {}) as Record<string, unknown>;
  return {
    apiVersion: typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '',
    kind: typeof typeMeta.kind === 'string' ? typeMeta.kind : '',
    raw: unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array(0),
  };
}

function decode(type: ProtoType, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.decode(bytes) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ProtobufDecodeError('malformed', `malformed protobuf ${what}: ${(e as Error).message}`);
  }
}

/**
 * Decodes a Kubernetes protobuf body to the object's JSON form, with `apiVersion` and `kind` set.
 * `defaults` fill in an apiVersion or kind the envelope leaves empty (the ones the request URL implies), as the
 * Kubernetes API server does. Throws ProtobufDecodeError for anything it cannot decode; never anything else
 * for bad input. `types` are the kinds to decode: those Flotilla serves, unless told.
 */
export function decodeKubernetesProtobuf(
  body: Uint8Array,
  defaults: { apiVersion?: string; kind?: string } = {},
  types: WireTypes = servedWireTypes(),
): DecodedObject {
  const envelope = unwrap(body, types);
  const apiVersion = envelope.apiVersion || defaults.apiVersion || '';
  const kind = envelope.kind || defaults.kind || '';
  if (!kind) throw new ProtobufDecodeError('malformed', 'the protobuf envelope does not name the object\'s kind');
  const name = types.messageNameFor(apiVersion, kind);
  if (!name) {
    throw new ProtobufDecodeError(
      'unsupported',
      `no protobuf decoding for kind "${kind}" in apiVersion "${apiVersion}"; send it as application/json `
        + `(protobuf is decoded for: ${types.supportedKinds().join(', ')})`,
    );
  }
  const type = types.root.lookupType(name);
  const message = decode(type, envelope.raw, `${kind} ${apiVersion}`);
  try {
    return { apiVersion, kind, object: { apiVersion, kind, ...messageToJson(type, message) } };
  } catch (e) {
    if (e instanceof ConversionError || e instanceof RangeError || e instanceof TypeError) {
      throw new ProtobufDecodeError('malformed', `malformed protobuf ${kind} ${apiVersion}: ${e.message}`);
    }
    throw e;
  }
}
