// Kubernetes' naming controller: a definition's names are accepted unless another definition of the same group
// already uses one of them (its plural, singular, kind, list kind or a short name), in which case NamesAccepted is
// False with the name in conflict, and the definition is not served.
import type { KubeObject } from '../../lib/api/types.js';
import { readCrd, type CrdSpec } from './custom-kind.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export interface Acceptance {
  namesAccepted: Condition;
  /** The names to serve (spec.names), when they are accepted. */
  acceptedNames?: Record<string, unknown>;
}

function taken(others: CrdSpec[]): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    for (const n of [o.plural, o.singular, ...o.shortNames]) if (n) resources.add(n);
    for (const k of [o.kind, o.listKind]) if (k) kinds.add(k);
  }
  return { resources, kinds };
}

export function acceptNames(crd: KubeObject, all: KubeObject[]): Acceptance {
  const me = readCrd({ ...crd, status: {} });
  // only definitions whose names are accepted hold them
  const others = all.filter((o) => (o.status?.acceptedNames as { plural?: string } | undefined)?.plural).map((o) => readCrd(o))
    .filter((o) => o.group === me.group && o.name !== me.name);
  const { resources, kinds } = taken(others);
  const conflict = (what: string, value: string): Acceptance => ({
    namesAccepted: { type: 'NamesAccepted', status: 'False', reason: what === 'kind' || what === 'listKind' ? 'KindConflict' : 'PluralConflict',
      message: `"${value}" is already in use` },
  });
  if (resources.has(me.plural)) return conflict('plural', me.plural);
  if (resources.has(me.singular)) return conflict('singular', me.singular);
  for (const s of me.shortNames) if (resources.has(s)) return conflict('shortNames', s);
  if (kinds.has(me.kind)) return conflict('kind', me.kind);
  if (kinds.has(me.listKind)) return conflict('listKind', me.listKind);
  const names: Record<string, unknown> = { plural: me.plural, singular: me.singular, kind: me.kind, listKind: me.listKind };
  if (me.shortNames.length) names.shortNames = me.shortNames;
  if (me.categories.length) names.categories = me.categories;
  return { namesAccepted: { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, acceptedNames: names };
}
