// Custom resources have no strategic merge patch (no Go struct with patch tags): Kubernetes answers such a patch with
// 415, naming the patch types it takes; kubectl then says so (`kubectl patch` without --type=merge).
import { ApiError } from '../errors.js';
import type { KindDefinition } from '../registry/kind.js';

export function checkPatchType(def: Pick<KindDefinition, 'ownSchema'>, type: string): void {
  if (type === 'strategic' && def.ownSchema) {
    throw new ApiError(415, 'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  }
}
