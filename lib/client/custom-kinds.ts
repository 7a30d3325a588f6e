// The kinds CustomResourceDefinitions add, as the controllers that act on every kind see them (the garbage collector,
// the namespace controller): one KindInfo per established CRD, at its storage version (any served version reads the
// same objects), looked up by group and kind whatever version an owner reference names.
import { findByKind, type KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';

export const CRD_KIND = findByKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition') as KindInfo;

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

const established = (crd: KubeObject): boolean =>
  ((crd.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === 'Established' && c.status === 'True');

/** The kind an established CRD serves, at its storage version (or its first served one); undefined otherwise. */
export function customKindOf(crd: KubeObject): KindInfo | undefined {
  if (!established(crd)) return undefined;
  const spec = crd.spec ?? {};
  const names = { ...(spec.names ?? {}), ...(crd.status?.acceptedNames ?? {}) } as Record<string, unknown>;
  const versions = (spec.versions ?? []) as Array<{ name: string; served?: boolean; storage?: boolean; subresources?: Record<string, unknown> }>;
  const v = versions.find((x) => x.storage && x.served) ?? versions.find((x) => x.served);
  if (!v || typeof names.kind !== 'string' || typeof names.plural !== 'string') return undefined;
  return {
    group: String(spec.group ?? ''), version: v.name, kind: names.kind, resource: names.plural,
    singular: typeof names.singular === 'string' && names.singular ? names.singular : names.kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster', shortNames: [], categories: [], subresources: Object.keys(v.subresources ?? {}),
  };
}

/** Built-in kinds by apiVersion and kind; custom ones by group and kind among the CRDs given. */
export function resolveKind(apiVersion: string, kind: string, custom: Iterable<KindInfo>): KindInfo | undefined {
  const builtin = findByKind(apiVersion, kind);
  if (builtin) return builtin;
  const group = groupOf(apiVersion);
  for (const k of custom) if (k.group === group && k.kind === kind) return k;
  return undefined;
}

/** Whether an apiVersion's group is one the server has built in (its kinds are all known without CRDs). */
export const isBuiltinGroup = (apiVersion: string, builtins: readonly KindInfo[]): boolean => builtins.some((k) => k.group === groupOf(apiVersion));
