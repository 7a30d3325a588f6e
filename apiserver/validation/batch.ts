// Checks and defaults shared by batch/v1 Jobs and CronJobs (whose jobTemplate.spec is a JobSpec): counts, the back-off
// limit, the completion mode, the pod failure policy and the pod template, whose restartPolicy must be Never or
// OnFailure, as Kubernetes' batch validation has them.
import { asArr, asNum, asObj, asStr, child, index, invalid, isObj, isSet, notSupported, objects, optNum, required, strMap, goRaw, goStringMap, type FieldCause, type Obj } from './field.js';
import { defaultTemplate, ensureObject, setDefault } from './defaults.js';
import { goLabelSelector, nonNegative, selectorIsEmpty, selectorIsValid, selectorMatches, validateLabelSelector } from './meta.js';
import { validatePodTemplateSpec } from './podspec.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/** SetDefaults_Job on a JobSpec. */
export function defaultJobSpec(spec: Obj): void {
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', isSet(spec.backoffLimitPerIndex) ? 2147483647 : 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', isSet(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  for (const [rule] of objects(asObj(spec.podFailurePolicy)?.rules)) for (const [p] of objects(rule.onPodConditions)) setDefault(p, 'status', 'True');
  defaultTemplate(spec);
}

/** The defaults of a Job object (spec created when missing). */
export function defaultJob(job: Obj): void {
  const spec = ensureObject(job, 'spec');
  if (spec) defaultJobSpec(spec);
}

const RESTART_POLICIES = ['OnFailure', 'Never'];
const FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validatePodFailurePolicy(pfp: unknown, path: string, restartPolicy: string): FieldCause[] {
  if (!isObj(pfp)) return [];
  const out: FieldCause[] = [];
  if (restartPolicy !== 'Never') {
    out.push(invalid('spec.template.spec.restartPolicy', restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  for (const [rule, i] of objects(pfp.rules)) {
    const rp = index(child(path, 'rules'), i);
    const action = asStr(rule.action);
    if (!FAILURE_ACTIONS.includes(action)) out.push(notSupported(child(rp, 'action'), action, ['Count', 'FailJob', 'Ignore']));
    const codes = asObj(rule.onExitCodes);
    const conds = asArr(rule.onPodConditions);
    if (codes && conds.length) out.push(invalid(rp, goRaw('specifying both OnExitCodes and OnPodConditions is not supported'), ''));
    if (!codes && !conds.length) out.push(invalid(rp, goRaw('specifying one of OnExitCodes and OnPodConditions is required'), ''));
    if (codes) {
      const op = asStr(codes.operator);
      if (op !== 'In' && op !== 'NotIn') out.push(notSupported(child(child(rp, 'onExitCodes'), 'operator'), op, ['In', 'NotIn']));
      const values = asArr(codes.values);
      if (!values.length) out.push(required(child(child(rp, 'onExitCodes'), 'values'), 'at least one value is required'));
      values.forEach((v, j) => {
        if (op === 'In' && v === 0) out.push(invalid(index(child(child(rp, 'onExitCodes'), 'values'), j), 0, 'must not be 0 for the In operator'));
      });
    }
  }
  return out;
}

/** A JobSpec at `path` (spec, or spec.jobTemplate.spec); `selector` says whether a selector must be there. */
export function validateJobSpec(spec: Obj, path: string, requireSelector: boolean): FieldCause[] {
  const p = (f: string): string => child(path, f);
  const out: FieldCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) out.push(...nonNegative(spec[f], p(f)));
  const ads = optNum(spec.activeDeadlineSeconds);
  if (ads === 0) out.push(invalid(p('activeDeadlineSeconds'), 0, 'must be greater than 0'));
  const mode = asStr(spec.completionMode);
  if (mode && mode !== 'Indexed' && mode !== 'NonIndexed') out.push(notSupported(p('completionMode'), mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (!isSet(spec.completions)) out.push(required(p('completions'), 'when completion mode is Indexed'));
    else if (asNum(spec.parallelism) > 100000) out.push(invalid(p('parallelism'), asNum(spec.parallelism), 'must be less than or equal to 100000 when completion mode is Indexed'));
  }
  const sel = spec.selector;
  if (requireSelector && !isSet(sel)) out.push(required(p('selector')));
  if (isSet(sel)) {
    out.push(...validateLabelSelector(sel, p('selector')));
    if (selectorIsEmpty(sel)) out.push(invalid(p('selector'), goRaw(goLabelSelector(sel)), 'empty selector is invalid for job'));
  }
  const tpl = spec.template;
  if (!isObj(tpl)) return [...out, required(p('template'))];
  out.push(...validatePodTemplateSpec(tpl, p('template')));
  const labels = strMap(asObj(tpl.metadata)?.labels);
  if (isSet(sel) && selectorIsValid(sel) && !selectorIsEmpty(sel) && !selectorMatches(sel, labels)) {
    out.push(invalid(child(p('template'), 'metadata.labels'), goRaw(goStringMap(labels)), '`selector` does not match template `labels`'));
  }
  const rp = asStr(asObj(tpl.spec)?.restartPolicy);
  if (!RESTART_POLICIES.includes(rp)) out.push(notSupported(child(p('template'), 'spec.restartPolicy'), rp, RESTART_POLICIES));
  out.push(...validatePodFailurePolicy(spec.podFailurePolicy, p('podFailurePolicy'), rp));
  return out;
}
