// CronJobs (batch/v1): Jobs created on a cron schedule (the cronjob controller creates them). The schedule is the
// five-field cron syntax or an @hourly-style name, read in spec.timeZone; the jobTemplate is checked as a Job's spec.
import { scheduleError, timeZoneError } from '../../../lib/api/cron.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age, selectorString } from '../../printers/columns.js';
import { validateJobSpec } from '../../validation/batch.js';
import { defaultTemplate, ensureObject, setDefault } from '../../validation/defaults.js';
import { asObj, asStr, invalid, isSet, notSupported, optStr, required, type FieldCause, type Obj } from '../../validation/field.js';
import { nonNegative } from '../../validation/meta.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

/** Job names get a suffix of 11 characters (-<minutes since the epoch>), so the CronJob's name is shorter than 63. */
const MAX_NAME = 52;

function defaults(cj: Obj): void {
  const spec = ensureObject(cj, 'spec');
  if (!spec) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  // the job template's pod template gets the PodSpec defaults; its JobSpec is defaulted when a Job is made of it
  const jobSpec = asObj(asObj(spec.jobTemplate)?.spec);
  if (jobSpec) defaultTemplate(jobSpec);
}

function validate(cj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const name = asStr(asObj(cj.metadata)?.name);
  if (name.length > MAX_NAME) out.push(invalid('metadata.name', name, `must be no more than ${MAX_NAME} characters`));
  const spec = asObj(cj.spec) ?? {};
  const schedule = asStr(spec.schedule);
  if (!schedule) out.push(required('spec.schedule'));
  else if (/\b(CRON_)?TZ=/.test(schedule)) out.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  else {
    const err = scheduleError(schedule);
    if (err) out.push(invalid('spec.schedule', schedule, err));
  }
  const tz = optStr(spec.timeZone);
  if (tz !== undefined) {
    if (tz === '') out.push(invalid('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else {
      const err = timeZoneError(tz);
      if (err) out.push(invalid('spec.timeZone', tz, err));
    }
  }
  const policy = asStr(spec.concurrencyPolicy);
  if (!['Allow', 'Forbid', 'Replace'].includes(policy)) out.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) out.push(...nonNegative(spec[f], `spec.${f}`));
  const jobSpec = asObj(asObj(spec.jobTemplate)?.spec);
  if (!isSet(spec.jobTemplate)) out.push(required('spec.jobTemplate'));
  else out.push(...validateJobSpec(jobSpec ?? {}, 'spec.jobTemplate.spec', false));
  return out;
}

type Container = { name?: string; image?: string };
const templateContainers = (o: KubeObject): Container[] => (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []) as Container[];
const boolPtr = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : '<unset>');

export default defineKind(identity('batch/v1', 'CronJob'), {
  generation: true,
  defaults,
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate,
  printer: {
    columns: [NAME, ['Schedule', 'string', 0, 'The schedule in Cron format.'], ['Timezone', 'string', 0, 'The time zone of the schedule.'],
      ['Suspend', 'boolean', 0, 'Whether subsequent executions are suspended.'], ['Active', 'integer', 0, 'The number of jobs currently running.'],
      ['Last Schedule', 'string', 0, 'When a job was last scheduled.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the jobs\' pods.']],
    row: (o, now) => [o.metadata.name ?? '', o.spec?.schedule ?? '', o.spec?.timeZone ?? '<none>', boolPtr(o.spec?.suspend),
      ((o.status?.active ?? []) as unknown[]).length, o.status?.lastScheduleTime ? age(o.status.lastScheduleTime as string, now) : '<none>',
      age(o.metadata.creationTimestamp, now), templateContainers(o).map((c) => c.name).join(','), templateContainers(o).map((c) => c.image).join(','),
      selectorString(o.spec?.jobTemplate?.spec?.selector)],
  },
  subresources: { status: statusSubresource() },
});
