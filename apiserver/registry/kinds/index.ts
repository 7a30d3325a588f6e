// The built-in kinds' definitions: for every kind in lib/api/kinds.ts, the kind file named after its resource
// (pods.ts for pods), which default-exports its definition (or, for a kind served in several versions, one
// per version). Registering a kind's identity there is what makes this load its file: adding a kind takes no list
// here.
import { KINDS, type KindInfo } from '../../../lib/api/kinds.js';
import type { KindDefinition } from '../kind.js';

let loaded: Promise<KindDefinition[]> | undefined;

async function load(info: KindInfo): Promise<KindDefinition> {
  let mod: { default?: KindDefinition | KindDefinition[] };
  try {
    mod = (await import(`./${info.resource}.js`)) as { default?: KindDefinition | KindDefinition[] };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes(`/${info.resource}.js`)) throw e;
    throw new Error(`${info.kind} (${info.resource}) is in lib/api/kinds.ts but apiserver/registry/kinds/${info.resource}.ts does not exist`);
  }
  // a kind served in several versions (SelfSubjectReview) exports one definition per version
  const def = Array.isArray(mod.default) ? mod.default.find((d) => d.info === info) : mod.default;
  if (!def || def.info !== info) {
    throw new Error(`apiserver/registry/kinds/${info.resource}.ts must default-export the definition of ${info.kind} (defineKind(identity(...), {...}))`);
  }
  return def;
}

/** Every built-in kind's definition, in the order of lib/api/kinds.ts; loaded once. */
export function builtinKinds(): Promise<KindDefinition[]> {
  loaded ??= Promise.all(KINDS.map(load));
  return loaded;
}
