// Reads the field-number table of numbers.ts into a map from a Go type's full proto name to its numbered fields. A
// malformed entry is a programming error, reported with the package and the offending text.

export interface NumberedField {
  /** The JSON field name, which is also upstream's proto field name (for an embedded struct, the proto name). */
  name: string;
  id: number;
  /** A Go pointer: an explicit zero value is meaningful. */
  pointer: boolean;
  /** For a Go embedded struct: its type name (same package); its fields are inline in the JSON form. */
  embedded?: string;
}

/** `k8s.io.api.core.v1.Volume` -> its fields, in the table's order. */
export type NumberTable = ReadonlyMap<string, readonly NumberedField[]>;

const TYPE = /^([A-Z]\w*):$/;
const FIELD = /^(\.\.\.)?([A-Za-z_]\w*)=(\d+)(\*)?(?::([A-Z]\w*))?$/;

export function parseNumberTable(packages: Readonly<Record<string, string>>): NumberTable {
  const table = new Map<string, NumberedField[]>();
  for (const [pkg, text] of Object.entries(packages)) {
    let current: { name: string; fields: NumberedField[] } | undefined;
    for (const token of text.split(/\s+/).filter(Boolean)) {
      const type = TYPE.exec(token);
      if (type) {
        const name = `${pkg}.${type[1]}`;
        if (table.has(name)) throw new Error(`protobuf field numbers: ${name} is listed twice`);
        current = { name, fields: [] };
        table.set(name, current.fields);
        continue;
      }
      const field = FIELD.exec(token);
      if (!current) throw new Error(`protobuf field numbers for ${pkg}: "${token}" comes before any "TypeName:"`);
      if (!field || Boolean(field[1]) !== Boolean(field[5])) {
        throw new Error(`protobuf field numbers for ${current.name}: cannot read "${token}" (expected field=N, field=N* or ...name=N:Type)`);
      }
      const entry: NumberedField = { name: field[2], id: Number(field[3]), pointer: field[4] === '*' };
      if (field[5]) entry.embedded = field[5];
      const clash = current.fields.find((f) => f.name === entry.name || f.id === entry.id);
      if (clash) throw new Error(`protobuf field numbers for ${current.name}: "${token}" clashes with ${clash.name}=${clash.id}`);
      if (entry.id < 1 || entry.id > 536_870_911) throw new Error(`protobuf field numbers for ${current.name}: ${token} is out of range`);
      current.fields.push(entry);
    }
  }
  return table;
}
