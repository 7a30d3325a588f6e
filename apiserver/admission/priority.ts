// Priority admission (Kubernetes' Priority plugin) on pod create: spec.priorityClassName names a PriorityClass,
// whose value becomes spec.priority and whose preemptionPolicy the pod's default; a pod naming none gets the
// globalDefault class's (else priority 0). A missing class, or a spec.priority that disagrees with the class, is a
// 403 Forbidden in Kubernetes' words.
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';

/**
 * classes: the cached ones (for the global default); getClass reads a named one consistently, so a class created a
 * moment ago is found.
 */
export async function admitPriority(pod: KubeObject, classes: KubeObject[], getClass?: (name: string) => Promise<KubeObject | undefined>): Promise<void> {
  const spec = (pod.spec ??= {}) as Record<string, unknown>;
  const name = pod.metadata.name ?? '';
  const refuse = (m: string) => errors.forbidden(`pods "${name}" is forbidden: ${m}`, { name, kind: 'pods' });
  let cls: KubeObject | undefined;
  if (spec.priorityClassName) {
    cls = classes.find((c) => c.metadata.name === spec.priorityClassName) ?? await getClass?.(String(spec.priorityClassName));
    if (!cls) throw refuse(`no PriorityClass with name ${String(spec.priorityClassName)} was found`);
  } else {
    cls = classes.filter((c) => c.globalDefault === true).sort((a, b) => Number(a.value) - Number(b.value))[0];
    if (cls) spec.priorityClassName = cls.metadata.name;
  }
  const value = cls ? Number(cls.value) : 0;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    throw refuse(`the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = (cls?.preemptionPolicy as string | undefined) ?? 'PreemptLowerPriority';
}
