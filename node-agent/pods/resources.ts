// resourceFieldRef values (env and downwardAPI volumes): a container's request or limit divided by the divisor and
// rounded up, as the kubelet computes them; a limit that is not set reads as the node's allocatable amount.
import { parseQuantity } from '../../lib/api/quantity.js';
import type { ContainerSpec, ResourceFieldRef } from './spec.js';

/** The node's allocatable cpu (cores), memory and ephemeral-storage (bytes). */
export interface NodeAllocatable {
  cpu: number;
  memory: number;
  'ephemeral-storage': number;
}

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** The value of ref for the container named ref.containerName (default: `self`), or an error message. */
export function resourceFieldValue(ref: ResourceFieldRef, containers: ContainerSpec[], self: ContainerSpec | undefined,
  allocatable: NodeAllocatable): { value: string } | { error: string } {
  const c = ref.containerName ? containers.find((x) => x.name === ref.containerName) : self;
  if (!c) return { error: `container ${ref.containerName ?? ''} not found` };
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  if ((kind !== 'limits' && kind !== 'requests') || !(RESOURCES as readonly string[]).includes(resource)) return { error: `unsupported container resource : ${ref.resource}` };
  const r = resource as (typeof RESOURCES)[number];
  const set = kind === 'limits' ? c.resources?.limits?.[r] : c.resources?.requests?.[r];
  // a missing limit is the node's allocatable; a missing request is 0 (as the kubelet merges them)
  const amount = set !== undefined ? (parseQuantity(set) ?? 0) : kind === 'limits' ? allocatable[r] : 0;
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  if (r === 'cpu') {
    // in millicores, as the kubelet divides MilliValue()s (a divisor of 1m gives millicores)
    const milli = Math.round(amount * 1000);
    const divMilli = Math.max(1, Math.round(divisor * 1000));
    return { value: String(Math.ceil(milli / divMilli)) };
  }
  return { value: String(Math.ceil(Math.round(amount) / divisor)) };
}
