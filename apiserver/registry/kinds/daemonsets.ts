// DaemonSets (apps/v1): one pod per eligible node, placed and updated by the daemonset controller. Defaults as
// Kubernetes' SetDefaults_DaemonSet (RollingUpdate, maxUnavailable 1, maxSurge 0, 10 revisions kept); the selector
// may not change; the generation counts spec changes; status is the controller's (through /status).
import { AGE, NAME, age, containers, mapSelector, selectorString } from '../../printers/columns.js';
import { defaultTemplate, ensureObject, setDefault } from '../../validation/defaults.js';
import { asArr, asObj, asStr, child, goRaw, invalid, isObj, isSet, notSupported, required, strMap, type FieldCause, type Obj } from '../../validation/field.js';
import { goLabelSelector, nonNegative, selectorIsValid, validateLabelSelector } from '../../validation/meta.js';
import { isValidPercent } from '../../validation/names.js';
import { validateWorkloadTemplate } from '../../validation/podspec.js';
import { selectorImmutable } from '../../validation/update.js';
import { goIntOrString } from '../../validation/workloads.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

function defaults(ds: Obj): void {
  const spec = ensureObject(ds, 'spec');
  if (!spec) return;
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy) {
    if (!strategy.type) strategy.type = 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', 1);
        setDefault(ru, 'maxSurge', 0);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
}

/** What an int-or-percent holds, for the "both 0" check; a malformed percent counts as 0 (it has its own error). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'string') return isValidPercent(v).length ? 0 : Number(v.slice(0, -1));
  return typeof v === 'number' ? v : 0;
}

function positiveIntOrPercent(v: unknown, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (typeof v === 'string') {
    out.push(...isValidPercent(v).map((m) => invalid(field, goRaw(goIntOrString(v)), m)));
    if (!isValidPercent(v).length && intOrPercentValue(v) > 100) out.push(invalid(field, goRaw(goIntOrString(v)), 'must not be greater than 100%'));
  } else if (typeof v === 'number') out.push(...nonNegative(v, field));
  return out;
}

function validateUpdateStrategy(strategy: unknown, path: string): FieldCause[] {
  const s = asObj(strategy) ?? {};
  const type = asStr(s.type);
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') return [notSupported(child(path, 'type'), type, ['OnDelete', 'RollingUpdate'])];
  const ru = asObj(s.rollingUpdate);
  const rp = child(path, 'rollingUpdate');
  if (!ru) return [required(rp)];
  const out = [...positiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')), ...positiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge'))];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    out.push(invalid(child(rp, 'maxUnavailable'), goRaw(goIntOrString(ru.maxUnavailable ?? 0)), 'may not be 0 when `maxSurge` is 0'));
  }
  return out;
}

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit')];
  const sel = spec.selector;
  if (!isSet(sel)) out.push(required('spec.selector'));
  else {
    out.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isObj(sel) && Object.keys(strMap(sel.matchLabels)).length + asArr(sel.matchExpressions).length === 0) {
      out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), 'empty selector is invalid for daemonset'));
    }
  }
  if (selectorIsValid(sel)) out.push(...validateWorkloadTemplate(spec.template, sel, true, 'spec.template', 'DaemonSet'));
  else if (isSet(sel)) out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), 'invalid label selector'));
  out.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  return out;
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  return selectorImmutable(obj, old);
}

export default defineKind(identity('apps/v1', 'DaemonSet'), {
  generation: true,
  defaults,
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
  validate,
  validateUpdate,
  printer: {
    columns: [NAME, ['Desired', 'integer', 0, 'Nodes that should run the daemon pod.'], ['Current', 'integer', 0, 'Nodes running at least one daemon pod that should.'],
      ['Ready', 'integer', 0, 'Nodes that should run the daemon pod and have one ready.'], ['Up-to-date', 'integer', 0, 'Nodes running the updated daemon pod.'],
      ['Available', 'integer', 0, 'Nodes that should run the daemon pod and have one available.'], ['Node Selector', 'string', 0, "The pod template's node selector."], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => {
      const s = o.status ?? {};
      return [o.metadata.name ?? '', s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0, mapSelector(o.spec?.template?.spec?.nodeSelector), age(o.metadata.creationTimestamp, now),
        containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)];
    },
  },
  subresources: { status: statusSubresource() },
});
