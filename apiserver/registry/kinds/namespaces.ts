// Namespaces: Active on creation; a delete marks them Terminating, and they go once the namespace controller has
// emptied them and cleared spec.finalizers through /finalize.
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Strategy } from '../strategy.js';

export function namespaceStrategy(kind: KindInfo): Strategy {
  return {
    kind,
    statusSubresource: true,
    generation: false,
    prepareForCreate(obj: KubeObject) {
      obj.spec = { ...(obj.spec ?? {}), finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      // spec.finalizers change only through /finalize; the name label always mirrors the name.
      obj.spec = { ...(obj.spec ?? {}), finalizers: old.spec?.finalizers ?? [] };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': old.metadata.name ?? '' };
    },
    beginDelete(obj: KubeObject) {
      obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
      return ((obj.spec?.finalizers as string[] | undefined) ?? []).length > 0;
    },
  };
}
