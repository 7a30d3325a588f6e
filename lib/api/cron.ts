// CronJob schedules: the standard five-field cron syntax and the @hourly-style names, in an IANA time zone. The
// parsing and the next-time arithmetic (day-of-month OR day-of-week as Vixie cron and Kubernetes' robfig/cron do,
// daylight-saving gaps) are croner's; this file only holds Kubernetes' rules around it: exactly five fields, the
// time zone in its own field rather than a TZ= prefix, and its error wording.
import { Cron } from 'croner';

export interface Schedule {
  /** The first scheduled time strictly after `after`, or undefined when the schedule never fires again. */
  next(after: Date): Date | undefined;
  /** The latest scheduled time at or before `at`, or undefined when there is none. */
  latest(at: Date): Date | undefined;
}

/** Why a schedule does not parse (robfig/cron's wording where it has one), or '' when it does. */
export function scheduleError(schedule: string): string {
  const s = schedule.trim();
  if (!s.startsWith('@')) {
    const fields = s.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  }
  try {
    new Cron(s, { mode: '5-part', paused: true });
    return '';
  } catch (e) {
    return s.startsWith('@') ? `unrecognized descriptor: ${s}` : (e as Error).message;
  }
}

/** Why a time zone name is not usable (Go's time.LoadLocation wording), or '' when it is. */
export function timeZoneError(tz: string): string {
  if (tz.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return '';
  } catch {
    return `unknown time zone ${tz}`;
  }
}

/** A parsed schedule; throws with scheduleError's or timeZoneError's message on bad input. */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const err = scheduleError(schedule) || (timeZone ? timeZoneError(timeZone) : '');
  if (err) throw new Error(err);
  const cron = new Cron(schedule.trim(), { mode: '5-part', paused: true, ...(timeZone ? { timezone: timeZone } : {}) });
  return {
    next(after: Date): Date | undefined {
      // croner's nextRun is strictly after its argument, at second precision
      return cron.nextRun(after) ?? undefined;
    },
    latest(at: Date): Date | undefined {
      // previousRuns is strictly before its reference, at second precision: a time exactly at `at` counts
      return cron.previousRuns(1, new Date(Math.floor(at.getTime() / 1000) * 1000 + 1000))[0];
    },
  };
}
