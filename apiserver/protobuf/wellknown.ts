// The apimachinery messages whose wire form cannot be read from their JSON schema, because their JSON form is not
// their Go struct: Time and MicroTime (an RFC 3339 string on the JSON side, seconds and nanos on the wire), Quantity
// (a string or number; a string field on the wire), IntOrString (a number or string; a tagged union on the wire),
// FieldsV1 and RawExtension (free-form JSON; the raw bytes on the wire), and the runtime.Unknown envelope every
// Kubernetes protobuf body travels in, after the 4-byte magic "k8s\0". Field names and numbers are upstream's.
import protobuf from 'protobufjs';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';

export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const FIELDS_V1 = `${META}.FieldsV1`;
export const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = `${RUNTIME}.RawExtension`;
export const UNKNOWN = `${RUNTIME}.Unknown`;

/** The magic prefix of a Kubernetes protobuf body. */
export const MAGIC = Buffer.from('k8s\0', 'latin1');

type WireField = readonly [name: string, id: number, type: string];

const WELL_KNOWN: Readonly<Record<string, readonly WireField[]>> = {
  [TIME]: [['seconds', 1, 'int64'], ['nanos', 2, 'int32']],
  [MICRO_TIME]: [['seconds', 1, 'int64'], ['nanos', 2, 'int32']],
  [FIELDS_V1]: [['Raw', 1, 'bytes']],
  [QUANTITY]: [['string', 1, 'string']],
  [INT_OR_STRING]: [['type', 1, 'int64'], ['intVal', 2, 'int64'], ['strVal', 3, 'string']],
  [RAW_EXTENSION]: [['raw', 1, 'bytes']],
  [`${RUNTIME}.TypeMeta`]: [['apiVersion', 1, 'string'], ['kind', 2, 'string']],
  [UNKNOWN]: [['typeMeta', 1, `.${RUNTIME}.TypeMeta`], ['raw', 2, 'bytes'], ['contentEncoding', 3, 'string'], ['contentType', 4, 'string']],
};

/** Whether a message (by its full proto name) is one of these, rather than generated from a schema. */
export function isWellKnown(fullName: string): boolean {
  return Object.hasOwn(WELL_KNOWN, fullName);
}

/** Adds every well-known message to a root. */
export function addWellKnown(root: protobuf.Root): void {
  for (const [fullName, fields] of Object.entries(WELL_KNOWN)) {
    const dot = fullName.lastIndexOf('.');
    const type = new protobuf.Type(fullName.slice(dot + 1));
    for (const [name, id, wireType] of fields) type.add(new protobuf.Field(name, id, wireType));
    root.define(fullName.slice(0, dot)).add(type);
  }
}
