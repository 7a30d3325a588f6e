// Nodes (core/v1, cluster-scoped): registered by their node agents, which own the status (through /status); taints
// are checked, and podCIDRs and providerID may not change once set. Allocatable defaults to the capacity.
import { parseQuantity, quantityError, quantityText } from '../../../lib/api/quantity.js';
import { AGE, NAME, age, none } from '../../printers/columns.js';
import {
  asArr, asObj, asStr, child, duplicate, forbidden, index, invalid, invalidEach, isObj, isSet, key, notSupported, objects, required,
  type FieldCause, type Obj,
} from '../../validation/field.js';
import { ipFamily, isQualifiedName, isValidCIDR, isValidLabelValue } from '../../validation/names.js';
import { defineKind, identity } from '../kind.js';
import { restrictNodeWrite } from '../../admission/node-restriction.js';
import { statusSubresource } from '../subresources.js';

function defaults(obj: Obj): void {
  // podCIDR is podCIDRs[0] (Kubernetes keeps only the list and derives the field): a writer that sets either gets both
  const spec = asObj(obj.spec);
  if (spec) {
    const cidrs = asArr(spec.podCIDRs);
    if (!cidrs.length && typeof spec.podCIDR === 'string' && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
    else if (cidrs.length && !spec.podCIDR && typeof cidrs[0] === 'string') spec.podCIDR = cidrs[0];
  }
  const status = asObj(obj.status);
  if (status && isObj(status.capacity) && !isSet(status.allocatable)) status.allocatable = { ...status.capacity };
}

function validateTaints(taints: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  for (const [t, i] of objects(taints)) {
    const p = index(path, i);
    const k = asStr(t.key);
    out.push(...invalidEach(child(p, 'key'), k, isQualifiedName(k)));
    const v = asStr(t.value);
    const msgs = isValidLabelValue(v);
    if (msgs.length) out.push(invalid(child(p, 'value'), v, msgs.join(';')));
    const effect = asStr(t.effect);
    if (!effect) out.push(required(child(p, 'effect')));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) out.push(notSupported(child(p, 'effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    const id = `${effect}/${k}`;
    if (seen.has(id)) out.push({ ...duplicate(p, t), message: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    seen.add(id);
  }
  return out;
}

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = validateTaints(spec.taints, 'spec.taints');
  const cidrs = asArr(spec.podCIDRs).map(asStr);
  cidrs.forEach((c, i) => out.push(...invalidEach(index('spec.podCIDRs', i), c, isValidCIDR(c))));
  const first = asStr(spec.podCIDR);
  if (first && cidrs.length && first !== cidrs[0]) out.push(invalid('spec.podCIDR', first, 'must match the first entry of spec.podCIDRs'));
  if (cidrs.length > 2) out.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  else if (cidrs.length === 2 && ipFamily(cidrs[0].split('/')[0]) === ipFamily(cidrs[1].split('/')[0])) out.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  const status = asObj(obj.status) ?? {};
  for (const f of ['capacity', 'allocatable']) {
    for (const [name, q] of Object.entries(asObj(status[f]) ?? {})) {
      const p = key(child('status', f), name);
      const err = quantityError(q);
      if (err) out.push(invalid(p, quantityText(q), err));
      else if ((parseQuantity(q) ?? 0) < 0) out.push(invalid(p, quantityText(q), 'must be greater than or equal to 0'));
    }
  }
  return out;
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  const cidrs = asArr(spec.podCIDRs).map(asStr);
  const oldCidrs = asArr(oldSpec.podCIDRs).map(asStr);
  // podCIDR alone changed counts too: it is podCIDRs[0]
  const changed = oldCidrs.length !== cidrs.length || oldCidrs.some((c, i) => c !== cidrs[i]) || (isSet(spec.podCIDR) && asStr(spec.podCIDR) !== oldCidrs[0]);
  if (oldCidrs.length && changed) {
    out.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const pid = asStr(oldSpec.providerID);
  if (pid && pid !== asStr(spec.providerID)) out.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return out;
}

export default defineKind(identity('v1', 'Node'), {
  defaults,
  validate,
  validateUpdate,
  // NodeRestriction: a node writes only itself, and only the labels a node may set
  authorizeWrite: restrictNodeWrite,
  printer: {
    columns: [NAME, ['Status', 'string', 0, 'Node readiness.'], ['Roles', 'string', 0, 'Node roles.'], AGE, ['Version', 'string', 0, 'Node agent version.'],
      ['Internal-IP', 'string', 1, 'Internal address.'], ['External-IP', 'string', 1, 'External address.'], ['OS-Image', 'string', 1, 'OS image.'], ['Kernel-Version', 'string', 1, 'Kernel version.'], ['Container-Runtime', 'string', 1, 'Container runtime and version.']],
    row(o, now) {
      const conds = (o.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const ready = conds.find((c) => c.type === 'Ready');
      const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
      if (o.spec?.unschedulable) status.push('SchedulingDisabled');
      const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).filter(Boolean);
      const addr = (t: string) => none(((o.status?.addresses ?? []) as Array<{ type: string; address: string }>).find((a) => a.type === t)?.address);
      const info = (o.status?.nodeInfo ?? {}) as Record<string, string>;
      return [o.metadata.name ?? '', status.join(','), roles.length ? roles.sort().join(',') : '<none>', age(o.metadata.creationTimestamp, now), info.kubeletVersion ?? '',
        addr('InternalIP'), addr('ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  selectableFields: { values: (o) => ({ 'spec.unschedulable': String(o.spec?.unschedulable === true) }) },
  subresources: { status: statusSubresource() },
});
