// Turns a decoded protobuf message into the JSON form the Kubernetes JSON API uses for the same Go struct.
//
// Go's protobuf encoder writes every non-pointer field, zero or not, while the JSON encoder drops zero values
// (`omitempty`). So a present field is emitted only when it is set: a scalar at its zero value ("", 0, false) is left
// out unless the field is a Go pointer (marked `*` in numbers.ts), where an explicit zero is meaningful
// (`replicas: 0`, `automountServiceAccountToken: false`). Empty repeated fields and maps are left out; present nested
// messages are kept, empty or not (`status: {}`), as Go's JSON encoder does. The fields of a Go embedded struct (such
// as Volume's VolumeSource) are merged into the parent object.
//
// A few apimachinery messages have their own JSON forms: Time (RFC 3339, seconds), MicroTime (RFC 3339, 6 fractional
// digits), Quantity (its string), IntOrString (a number or a string), FieldsV1 and RawExtension (the JSON they hold).
import { GO_EMBEDDED, GO_INT32, GO_POINTER } from './generate.js';
import type { ProtoField, ProtoType } from './schema.js';
import { FIELDS_V1, INT_OR_STRING, MAGIC, MICRO_TIME, QUANTITY, RAW_EXTENSION, TIME } from './wellknown.js';

/** A problem with the content of a message (as opposed to its wire encoding). */
export class ConversionError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Decoded = Record<string, unknown>;

/** time.Time{} in Go, as Unix seconds: Kubernetes clients write it for unset times. */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** The JSON forms of the well-known messages, by full name (as protobufjs writes it, with a leading dot). */
const SPECIAL: Readonly<Record<string, (m: Decoded) => Json | undefined>> = {
  [`.${TIME}`]: (m) => timeString(m, false),
  [`.${MICRO_TIME}`]: (m) => timeString(m, true),
  [`.${QUANTITY}`]: (m) => (typeof m.string === 'string' && m.string !== '' ? m.string : '0'),
  [`.${INT_OR_STRING}`]: intOrString,
  [`.${FIELDS_V1}`]: (m) => embeddedJson(m.Raw, 'FieldsV1'),
  [`.${RAW_EXTENSION}`]: (m) => embeddedJson(m.raw, 'RawExtension'),
};

/** Converts a message decoded by protobufjs (with `keepCase`) to its Kubernetes JSON object form. */
export function messageToJson(type: ProtoType, message: Decoded): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(message, field.name)) continue;
    const value = message[field.name];
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length) out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v) ?? null]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length) out[field.name] = items.map((v) => valueToJson(field, v) ?? null);
    } else if (field.options?.[GO_EMBEDDED] === true && field.resolvedType) {
      Object.assign(out, messageToJson(field.resolvedType as ProtoType, value as Decoded));
    } else {
      const json = valueToJson(field, value);
      if (json === undefined) continue;
      if (!isPointer(field) && (json === '' || json === 0 || json === false)) continue;
      out[field.name] = json;
    }
  }
  return out;
}

function isPointer(field: ProtoField): boolean {
  return field.options?.[GO_POINTER] === true;
}

/** One value of a field (a map value or a list item for those): undefined for "unset" (a zero Time). */
function valueToJson(field: ProtoField, value: unknown): Json | undefined {
  const resolved = field.resolvedType;
  if (resolved) {
    const type = resolved as ProtoType;
    const message = (value ?? {}) as Decoded; // a map entry without its value decodes to null
    const special = SPECIAL[type.fullName];
    return special ? special(message) : messageToJson(type, message);
  }
  switch (field.type) {
    case 'string':
    case 'bool':
      return value as string | boolean;
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return field.options?.[GO_INT32] === true ? int32(toNumber(value), `${field.parent?.name ?? ''}.${field.name}`) : toNumber(value);
  }
}

/** An int32 field's value, read whole (schema.ts): one that does not fit is refused, never wrapped. */
function int32(n: number, what: string): number {
  if (n < -2147483648 || n > 2147483647) throw new ConversionError(`${what}: ${n} does not fit in an int32`);
  return n;
}

/** int64 values arrive as Long objects (or plain numbers when long.js is absent). */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') return value.toNumber() as number;
  throw new ConversionError(`expected a number, got ${typeof value}`);
}

function timeString(m: Decoded, micro: boolean): string | undefined {
  const seconds = m.seconds === undefined ? 0 : toNumber(m.seconds);
  const nanos = m.nanos === undefined ? 0 : toNumber(m.nanos);
  if (nanos === 0 && (seconds === 0 || seconds === GO_ZERO_TIME_SECONDS)) return undefined;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw new ConversionError(`time has nanos ${nanos} out of range`);
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new ConversionError(`time with ${seconds} seconds is out of range`);
  }
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

function intOrString(m: Decoded): Json {
  const type = m.type === undefined ? 0 : toNumber(m.type);
  if (type === 0) return m.intVal === undefined ? 0 : int32(toNumber(m.intVal), 'IntOrString.intVal');
  if (type === 1) return typeof m.strVal === 'string' ? m.strVal : '';
  throw new ConversionError(`IntOrString has unknown type ${type}`);
}

function embeddedJson(raw: unknown, what: string): Json {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  const bytes = Buffer.from(raw);
  if (bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new ConversionError(`${what} holding a protobuf-encoded object is not supported`);
  try {
    return JSON.parse(bytes.toString('utf8')) as Json;
  } catch (e) {
    throw new ConversionError(`${what} does not hold valid JSON: ${(e as Error).message}`);
  }
}
