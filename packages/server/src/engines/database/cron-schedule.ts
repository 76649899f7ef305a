import { CofferError } from '@coffer/sdk';

/**
 * Standard five-field cron (`minute hour day-of-month month day-of-week`), as Vault's
 * `rotation_schedule` takes it (robfig/cron's standard parser): lists, ranges, steps, `*`, month
 * and day names, and the @hourly/@daily/@weekly/@monthly/@yearly shorthands. Times are UTC.
 * When both day fields are restricted, a day matching either one matches, as in Vixie cron.
 */
export interface CronSchedule {
  /** The first matching minute strictly after `after`. */
  next(after: Date): Date;
}

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}
const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, namesFrom: 0 },
];
/** Searching further than this for a match means the expression names a day that never comes (Feb 30). */
const SEARCH_YEARS = 5;

export function parseCronSchedule(expression: string): CronSchedule {
  const text = SHORTHANDS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw bad(expression, 'expected 5 fields: minute hour day-of-month month day-of-week');
  const [minutes, hours, doms, months, dows] = parts.map((part, i) => parseField(part, FIELDS[i] as FieldSpec, expression)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  // Sunday may be written 7.
  if (dows.delete(7)) dows.add(0);
  const domStar = (parts[2] as string).startsWith('*');
  const dowStar = (parts[4] as string).startsWith('*');
  const dayMatches = (d: Date) => {
    const dom = doms.has(d.getUTCDate());
    const dow = dows.has(d.getUTCDay());
    if (domStar || dowStar) return dom && dow;
    return dom || dow;
  };
  const schedule: CronSchedule = {
    next(after) {
      const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      const limit = after.getTime() + SEARCH_YEARS * 366 * 86_400_000;
      while (t.getTime() <= limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else {
          return t;
        }
      }
      throw bad(expression, 'it never matches');
    },
  };
  // An expression that can never fire is refused when written, not when first due.
  schedule.next(new Date(0));
  return schedule;
}

function parseField(part: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  const max = spec.name === 'day of week' ? 7 : spec.max;
  for (const item of part.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw bad(expression, `bad ${spec.name} "${item}"`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw bad(expression, `bad step in ${spec.name}`);
    let from = spec.min;
    let to = max;
    if (m[1] !== '*') {
      const [a, b] = (m[1] as string).split('-') as [string, string | undefined];
      from = value(a, spec, expression);
      to = b === undefined ? (m[2] === undefined ? from : max) : value(b, spec, expression);
    }
    if (from > to) throw bad(expression, `bad range in ${spec.name}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const n = named >= 0 ? named + (spec.namesFrom ?? 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  const max = spec.name === 'day of week' ? 7 : spec.max;
  if (!Number.isInteger(n) || n < spec.min || n > max) throw bad(expression, `${spec.name} "${text}" is out of range`);
  return n;
}

function bad(expression: string, reason: string): CofferError {
  return new CofferError('invalid_request', `invalid rotation_schedule "${expression}": ${reason}`);
}
