// Where objects live in etcd: /registry/<group|core>/<resource>/[<namespace>/]<name>.
import type { KindInfo } from '../../lib/api/kinds.js';

export const ROOT = '/registry/';

export function resourcePrefix(k: Pick<KindInfo, 'group' | 'resource'>): string {
  return `${ROOT}${k.group || 'core'}/${k.resource}/`;
}

export function namespacePrefix(k: Pick<KindInfo, 'group' | 'resource'>, namespace: string): string {
  return `${resourcePrefix(k)}${namespace}/`;
}

export function objectKey(k: Pick<KindInfo, 'group' | 'resource' | 'namespaced'>, namespace: string | undefined, name: string): string {
  return k.namespaced ? `${resourcePrefix(k)}${namespace}/${name}` : `${resourcePrefix(k)}${name}`;
}
