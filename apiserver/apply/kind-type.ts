// The apply type of a kind's objects, from the schema its writes are checked with: the built-in components, or a
// custom resource's own schema (whose `$ref`s to ObjectMeta resolve in the components). Read once per definition.
import { REF_PREFIX, components } from '../../lib/api/schema/index.js';
import type { SchemaNode } from '../../lib/api/patch/schema.js';
import type { KindDefinition } from '../registry/kind.js';
import { TypeReader, type ApplyType } from './schema-type.js';

const types = new WeakMap<Pick<KindDefinition, 'schema' | 'ownSchema'>, ApplyType>();

export function kindType(def: Pick<KindDefinition, 'schema' | 'ownSchema'>): ApplyType {
  let t = types.get(def);
  if (!t) {
    const own = def.ownSchema?.schemas as Readonly<Record<string, SchemaNode>> | undefined;
    const all = components() as Readonly<Record<string, SchemaNode>>;
    const reader = new TypeReader((ref) => {
      if (!ref.startsWith(REF_PREFIX)) return undefined;
      const name = ref.slice(REF_PREFIX.length);
      return (own && Object.hasOwn(own, name) ? own[name] : undefined) ?? (Object.hasOwn(all, name) ? all[name] : undefined);
    });
    t = reader.typeOf({ $ref: REF_PREFIX + def.schema });
    types.set(def, t);
  }
  return t;
}
