// Builds the protobufjs message types of Kubernetes objects from their JSON schemas (lib/api/schema) and upstream's
// field numbers (numbers.ts), so the schema stays the one description of a kind.
//
// The schema gives each field its name and wire type: string, bytes (format byte), bool, int32 or int64 (its format;
// an integer without one is read as int64, which decodes the same varint), double, a message (a $ref), a repeated
// field (an array) or a map<string, V> (additionalProperties). The table gives the field number, whether the Go
// field is a pointer, and the Go embedded structs, whose fields the JSON form inlines but the wire nests in a message
// of their own. TypeMeta (apiVersion, kind) of a kind is not in its message: it travels in the runtime.Unknown envelope.
import protobuf from 'protobufjs';
import { REF_PREFIX, type Schema } from '../../lib/api/schema/dsl.js';
import type { NumberTable, NumberedField } from './table.js';
import { addWellKnown, isWellKnown } from './wellknown.js';

/** Field options convert.ts reads: a Go pointer field keeps an explicit zero; an embedded struct is inlined. */
export const GO_POINTER = 'goPointer';
export const GO_EMBEDDED = 'goEmbedded';
/**
 * Kubernetes declares the field int32, but it is read as int64: both are the same varint on the wire, and protobufjs
 * keeps only the low 32 bits of an int32, so a hostile 99999999999 would arrive as a small valid-looking number.
 * Read whole, convert.ts refuses it instead.
 */
export const GO_INT32 = 'goInt32';

/** The schemas and the field numbers disagree: the message names every schema field without a number, and so on. */
export class FieldNumberError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot build the protobuf message types from the schemas:\n  ${problems.join('\n  ')}`);
    this.name = 'FieldNumberError';
  }
}

export interface GeneratedTypes {
  root: protobuf.Root;
  /** Table entries no schema field uses (`k8s.io.api.core.v1.PodSpec.foo`), and types nothing reaches. */
  unused: string[];
}

/** The proto name of a schema: `io.k8s.api.core.v1.Pod` -> `k8s.io.api.core.v1.Pod`. */
export function protoNameOf(schemaName: string): string {
  return schemaName.startsWith('io.k8s.') ? `k8s.io.${schemaName.slice('io.k8s.'.length)}` : schemaName;
}

/**
 * Generates the message of each named schema and of everything it refers to. Throws FieldNumberError listing every
 * schema field without a number (and every other disagreement), so no field is silently left out of decoding.
 */
export function generateTypes(schemas: Readonly<Record<string, Schema>>, numbers: NumberTable, roots: readonly string[]): GeneratedTypes {
  return new Generator(schemas, numbers).run(roots);
}

const tableEntry = (pkg: string): string => `FIELD_NUMBERS['${pkg}'] in apiserver/protobuf/numbers.ts (or beside the schema in lib/api/schema)`;

const split = (fullName: string): [pkg: string, type: string] => {
  const dot = fullName.lastIndexOf('.');
  return [fullName.slice(0, dot), fullName.slice(dot + 1)];
};

class Generator {
  private readonly root = new protobuf.Root();
  private readonly built = new Set<string>();
  private readonly used = new Set<string>();
  private readonly problems: string[] = [];

  constructor(private readonly schemas: Readonly<Record<string, Schema>>, private readonly numbers: NumberTable) {}

  run(roots: readonly string[]): GeneratedTypes {
    addWellKnown(this.root);
    for (const name of roots) {
      const schema = this.schemas[name];
      if (schema) this.message(name, ownProperties(schema), name);
      else this.problems.push(`${name}: no such schema`);
    }
    if (this.problems.length) throw new FieldNumberError(this.problems);
    this.root.resolveAll();
    const unused: string[] = [];
    for (const [type, fields] of this.numbers) {
      if (!this.built.has(type)) unused.push(type);
      else for (const f of fields) if (!this.used.has(`${type}.${f.name}`)) unused.push(`${type}.${f.name}`);
    }
    return { root: this.root, unused };
  }

  /**
   * Generates the message of `schemaName` with the numbered fields of the table found in `props` (the schema's
   * properties; for an embedded struct without a schema of its own, its parent's). Every property needs a number.
   */
  private message(schemaName: string, props: Readonly<Record<string, Schema>>, where: string): void {
    const fullName = protoNameOf(schemaName);
    if (this.built.has(fullName)) return;
    this.built.add(fullName);
    const [pkg, typeName] = split(fullName);
    const type = new protobuf.Type(typeName);
    this.root.define(pkg).add(type);
    const numbered = this.numbers.get(fullName);
    if (!numbered) {
      this.problems.push(`${where}: no field numbers for the Go type ${typeName}; add a "${typeName}:" entry to ${tableEntry(pkg)}`);
      return;
    }
    const covered = new Set<string>();
    for (const f of numbered) {
      if (f.embedded) {
        for (const name of this.embedded(type, f, schemaName, props, where)) covered.add(name);
        this.used.add(`${fullName}.${f.name}`);
      } else if (Object.hasOwn(props, f.name)) {
        const field = this.field(f, props[f.name], `${where}.${f.name}`);
        if (field) type.add(field);
        this.used.add(`${fullName}.${f.name}`);
        covered.add(f.name);
      }
    }
    const embeddedTypes = numbered.flatMap((f) => f.embedded ?? []);
    const owner = embeddedTypes.length ? `${typeName} (or the struct it embeds that has it: ${embeddedTypes.join(', ')})` : typeName;
    for (const name of Object.keys(props)) {
      if (!covered.has(name)) {
        const fix = `add "${name}=N" (N from upstream's generated.proto) to ${owner} in ${tableEntry(pkg)}`;
        this.problems.push(`${where}.${name}: no protobuf field number; ${fix}`);
      }
    }
  }

  /**
   * An embedded Go struct: a message field of its own type, generated from the struct's own schema when it has one
   * (LocalObjectReference), or else from the parent's properties it inlines (VolumeSource). Returns those properties.
   */
  private embedded(parent: protobuf.Type, f: NumberedField, parentSchema: string, props: Readonly<Record<string, Schema>>, where: string): string[] {
    const schemaName = `${parentSchema.slice(0, parentSchema.lastIndexOf('.') + 1)}${f.embedded}`;
    const names = this.jsonNames(protoNameOf(schemaName));
    const inlined = Object.fromEntries(Object.entries(props).filter(([name]) => names.has(name)));
    const own = this.schemas[schemaName];
    if (own) this.message(schemaName, ownProperties(own), schemaName);
    else this.message(schemaName, inlined, `${where} (its embedded ${f.embedded})`);
    parent.add(new protobuf.Field(f.name, f.id, `.${protoNameOf(schemaName)}`, { [GO_EMBEDDED]: true, ...(f.pointer && { [GO_POINTER]: true }) }));
    return Object.keys(inlined);
  }

  /** The JSON names the table gives a type, its embedded structs' included. */
  private jsonNames(fullName: string, depth = 0): Set<string> {
    const out = new Set<string>();
    const [pkg] = split(fullName);
    for (const f of this.numbers.get(fullName) ?? []) {
      if (!f.embedded) out.add(f.name);
      else if (depth < 8) for (const n of this.jsonNames(`${pkg}.${f.embedded}`, depth + 1)) out.add(n);
    }
    return out;
  }

  private field(f: NumberedField, schema: Schema, where: string): protobuf.Field | protobuf.MapField | undefined {
    const options: Record<string, boolean> = f.pointer ? { [GO_POINTER]: true } : {};
    const value = schema.type === 'array' ? schema.items : schema.type === 'object' && typeof schema.additionalProperties === 'object' ? schema.additionalProperties : schema;
    if (value?.type === 'integer' && value.format === 'int32') options[GO_INT32] = true;
    if (schema.type === 'array') {
      const item = this.wireType(schema.items, `${where}[]`);
      return item ? new protobuf.Field(f.name, f.id, item, 'repeated', options) : undefined;
    }
    if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const value = this.wireType(schema.additionalProperties, `${where}{}`);
      return value ? new protobuf.MapField(f.name, f.id, 'string', value, options) : undefined;
    }
    const type = this.wireType(schema, where);
    return type ? new protobuf.Field(f.name, f.id, type, options) : undefined;
  }

  /** The wire type of a single value: a scalar, or the absolute name of a message (generated on the way). */
  private wireType(schema: Schema | undefined, where: string): string | undefined {
    if (schema?.$ref) {
      const name = schema.$ref.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : '';
      const target = this.schemas[name];
      if (!target) {
        this.problems.push(`${where}: refers to ${schema.$ref}, which is not a schema`);
        return undefined;
      }
      if (!isWellKnown(protoNameOf(name))) this.message(name, ownProperties(target), name);
      return `.${protoNameOf(name)}`;
    }
    switch (schema?.type) {
      case 'string':
        return schema.format === 'byte' ? 'bytes' : 'string';
      case 'boolean':
        return 'bool';
      case 'integer':
        return 'int64'; // int32 fields too: see GO_INT32
      case 'number':
        return 'double';
      default:
        this.problems.push(`${where}: no protobuf wire form for a schema of type ${schema?.type ?? '(none)'}`);
        return undefined;
    }
  }
}

/** A schema's properties less TypeMeta, which a kind's message leaves to the envelope. */
function ownProperties(schema: Schema): Record<string, Schema> {
  const props = { ...schema.properties };
  if (schema['x-kubernetes-group-version-kind']) {
    delete props.apiVersion;
    delete props.kind;
  }
  return props;
}
