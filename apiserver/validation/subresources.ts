// Checks on the bodies of subresource requests: an autoscaling/v1 Scale, a core/v1 Binding.
import { asObj, asStr, notSupported, required, type FieldCause, type Obj } from './field.js';
import { nonNegative } from './meta.js';

/** The /scale subresource body: replicas may not be negative. */
export function validateScaleSemantics(obj: Obj): FieldCause[] {
  return nonNegative(asObj(obj.spec)?.replicas, 'spec.replicas');
}

/** The pods/binding subresource body: it must name a node. */
export function validateBindingSemantics(obj: Obj): FieldCause[] {
  const target = asObj(obj.target) ?? {};
  const out: FieldCause[] = [];
  const k = asStr(target.kind);
  if (k && k !== 'Node') out.push(notSupported('target.kind', k, ['Node', '<empty>']));
  if (!asStr(target.name)) out.push(required('target.name'));
  return out;
}
