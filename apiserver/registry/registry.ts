// The kinds this server serves, by group/version/resource: the built-in ones at start, and more at run time (a
// CustomResourceDefinition registers its generated kind here). Discovery, OpenAPI and routing read it on every
// request; `generation` changes whenever it does, so what is built from it (the OpenAPI documents) is rebuilt.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KindDefinition } from './kind.js';

export class KindRegistry {
  private readonly byResource = new Map<string, KindDefinition>();
  private readonly listeners = new Set<(def: KindDefinition) => void>();
  /** Bumped by every registration. */
  generation = 0;

  constructor(defs: Iterable<KindDefinition> = []) {
    for (const d of defs) this.register(d);
  }

  register(def: KindDefinition): void {
    const key = keyOf(def.info.group, def.info.version, def.info.resource);
    if (this.byResource.has(key)) throw new Error(`${def.info.resource}.${def.info.group || 'core'}/${def.info.version} is registered already`);
    this.byResource.set(key, def);
    this.generation++;
    for (const l of this.listeners) l(def);
  }

  /** Stops serving a kind (a CustomResourceDefinition deleted or changed); false when it wasn't registered. */
  unregister(def: KindDefinition): boolean {
    const key = keyOf(def.info.group, def.info.version, def.info.resource);
    if (this.byResource.get(key) !== def) return false;
    this.byResource.delete(key);
    this.generation++;
    return true;
  }

  /** Calls fn for every kind registered from now on. */
  onRegister(fn: (def: KindDefinition) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  find(group: string, version: string, resource: string): KindDefinition | undefined {
    return this.byResource.get(keyOf(group, version, resource));
  }

  get(info: Pick<KindInfo, 'group' | 'version' | 'resource'>): KindDefinition | undefined {
    return this.find(info.group, info.version, info.resource);
  }

  /** Every kind, in registration order. */
  all(): KindDefinition[] {
    return [...this.byResource.values()];
  }

  /** The groups served under /apis, in registration order. */
  groups(): string[] {
    return [...new Set(this.all().filter((d) => d.info.group !== '').map((d) => d.info.group))];
  }
}

const keyOf = (group: string, version: string, resource: string): string => `${group}/${version}/${resource}`;
