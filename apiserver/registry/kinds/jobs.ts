// Jobs (batch/v1): pods run to completion (the job controller runs them). Unless spec.manualSelector is true the
// server generates the selector from the Job's uid and labels the template with it and the Job's name, as
// Kubernetes does; the selector, completion mode, pod failure policy and (once started) the template may not change.
import { humanDuration } from '../../../lib/api/duration.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age, containers, selectorString } from '../../printers/columns.js';
import {
  CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, defaultJob, validateJobSpec,
} from '../../validation/batch.js';
import { asObj, asStr, goRaw, goStringMap, invalid, isSet, strMap, type FieldCause, type Obj } from '../../validation/field.js';
import { FIELD_IMMUTABLE, goLabelSelector } from '../../validation/meta.js';
import { semanticEqual } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

/** What Kubernetes' job strategy does before create: the generated selector and template labels, a fresh status. */
function prepareForCreate(job: KubeObject): void {
  job.status = {};
  const spec = job.spec as Obj | undefined;
  if (!spec || spec.manualSelector === true) return;
  const uid = job.metadata.uid as string;
  const tpl = asObj(spec.template);
  if (!tpl) return;
  const meta = asObj(tpl.metadata) ?? (tpl.metadata = {});
  const labels = { ...strMap((meta as Obj).labels) };
  labels[LEGACY_CONTROLLER_UID_LABEL] = uid;
  labels[LEGACY_JOB_NAME_LABEL] = job.metadata.name ?? '';
  labels[CONTROLLER_UID_LABEL] = uid;
  labels[JOB_NAME_LABEL] = job.metadata.name ?? '';
  (meta as Obj).labels = labels;
  if (!isSet(spec.selector)) spec.selector = { matchLabels: { [CONTROLLER_UID_LABEL]: uid } };
}

function validate(job: Obj): FieldCause[] {
  const spec = asObj(job.spec) ?? {};
  const out = validateJobSpec(spec, 'spec', true);
  if (spec.manualSelector !== true && isSet(spec.selector)) {
    const uid = asStr(asObj(job.metadata)?.uid);
    const sel = asObj(spec.selector) ?? {};
    const generated = semanticEqual(sel, { matchLabels: { [CONTROLLER_UID_LABEL]: uid } })
      || semanticEqual(sel, { matchLabels: { [LEGACY_CONTROLLER_UID_LABEL]: uid } });
    if (!generated) out.push(invalid('spec.selector', goRaw(goLabelSelector(sel)), '`selector` not auto-generated'));
  }
  return out;
}

const goTemplate = (tpl: unknown): string => `core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Labels:${goStringMap(strMap(asObj(asObj(tpl)?.metadata)?.labels))}, ...}, ...}`;

/** Only a suspended Job that never started may change its template, and only its scheduling directives and metadata. */
function templateChangeAllowed(spec: Obj, oldSpec: Obj, old: Obj): boolean {
  if (spec.suspend !== true || isSet(asObj(old.status)?.startTime)) return false;
  const strip = (t: unknown): Obj => {
    const tpl = asObj(t) ?? {};
    const s = { ...(asObj(tpl.spec) ?? {}) };
    for (const f of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete s[f];
    return { spec: s };
  };
  return semanticEqual(strip(spec.template), strip(oldSpec.template));
}

function validateUpdate(job: Obj, old: Obj): FieldCause[] {
  const spec = asObj(job.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  if (!semanticEqual(spec.selector, oldSpec.selector)) out.push(invalid('spec.selector', goRaw(goLabelSelector(spec.selector)), FIELD_IMMUTABLE));
  if (!semanticEqual(spec.template, oldSpec.template) && !templateChangeAllowed(spec, oldSpec, old)) {
    out.push(invalid('spec.template', goRaw(goTemplate(spec.template)), FIELD_IMMUTABLE));
  }
  // an Indexed Job may change completions together with parallelism (elastic Indexed Jobs); others may not
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && oldSpec.completions === oldSpec.parallelism;
  if (!semanticEqual(spec.completions, oldSpec.completions) && !elastic) out.push(invalid('spec.completions', spec.completions ?? null, FIELD_IMMUTABLE));
  if (!semanticEqual(spec.completionMode, oldSpec.completionMode)) out.push(invalid('spec.completionMode', spec.completionMode ?? null, FIELD_IMMUTABLE));
  if (!semanticEqual(spec.podFailurePolicy, oldSpec.podFailurePolicy)) out.push(invalid('spec.podFailurePolicy', goRaw('&batch.PodFailurePolicy{...}'), FIELD_IMMUTABLE));
  return out;
}

type Condition = { type?: string; status?: string };
const hasCondition = (o: KubeObject, type: string): boolean =>
  ((o.status?.conditions ?? []) as Condition[]).some((c) => c.type === type && c.status === 'True');

/** kubectl 1.32's STATUS column. */
export function jobStatus(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(o: KubeObject): string {
  const succeeded = o.status?.succeeded ?? 0;
  if (typeof o.spec?.completions === 'number') return `${succeeded}/${o.spec.completions}`;
  const parallelism = o.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(o: KubeObject, now: Date): string {
  const start = o.status?.startTime as string | undefined;
  if (!start) return '';
  const end = o.status?.completionTime as string | undefined;
  return humanDuration((end ? Date.parse(end) : now.getTime()) - Date.parse(start));
}

export default defineKind(identity('batch/v1', 'Job'), {
  generation: true,
  defaults: defaultJob,
  prepareForCreate,
  validate,
  validateUpdate,
  printer: {
    columns: [NAME, ['Status', 'string', 0, 'Status of the job.'], ['Completions', 'string', 0, 'The completion status of the job.'],
      ['Duration', 'string', 0, 'Time required to complete the job.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => [o.metadata.name ?? '', jobStatus(o), completions(o), duration(o, now), age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)],
  },
  selectableFields: { values: (o) => ({ 'status.successful': String(o.status?.succeeded ?? 0) }) },
  subresources: { status: statusSubresource() },
});
