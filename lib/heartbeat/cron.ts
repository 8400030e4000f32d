/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) in an IANA time zone, as
 * a heartbeat's schedule: when was the job last due? Lists, ranges, steps, month and day names and
 * the @hourly/@daily/@weekly/@monthly/@yearly shorthands; day-of-month and day-of-week both
 * restricted means either (as cron does).
 */

export interface Cron {
  expression: string;
  minutes: readonly number[];
  hours: readonly number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Day-of-month and day-of-week were both restricted: a day matching either is due. */
  either: boolean;
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const SHORTHANDS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};
const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, offset: 1 },
  { name: "day of week", min: 0, max: 7, names: WEEKDAYS, offset: 0 },
] as const;

/** The expression parsed, or what is wrong with it (the "expected" half of a diagnostic). */
export function parseCron(expression: string): Cron | string {
  const text = SHORTHANDS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `a cron expression of five fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", found ${parts.length} field(s)`;
  const values: number[][] = [];
  for (const [index, field] of FIELDS.entries()) {
    const parsed = parseField(parts[index] as string, field);
    if (typeof parsed === "string") return `a cron expression whose ${field.name} field ${parsed}`;
    values.push(parsed);
  }
  const [minutes, hours, days, months, weekdays] = values as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const daysRestricted = parts[2] !== "*" && parts[2] !== "?";
  const weekdaysRestricted = parts[4] !== "*" && parts[4] !== "?";
  return {
    expression: expression.trim(),
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    // 7 is Sunday too.
    weekdays: new Set(weekdays.map((d) => d % 7)),
    either: daysRestricted && weekdaysRestricted,
    daysRestricted,
    weekdaysRestricted,
  };
}

function parseField(
  text: string,
  field: { min: number; max: number; names?: readonly string[]; offset?: number },
): number[] | string {
  const out = new Set<number>();
  const value = (token: string): number | undefined => {
    const named = field.names?.indexOf(token.toLowerCase()) ?? -1;
    if (named >= 0) return named + (field.offset ?? 0);
    return /^\d+$/.test(token) ? Number(token) : undefined;
  };
  for (const item of text.split(",")) {
    const [range, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN;
    if (!(step >= 1)) return `has a step that is not a whole number of at least 1 ("${item}")`;
    let from: number | undefined;
    let to: number | undefined;
    if (range === "*" || range === "?") {
      from = field.min;
      to = field.max;
    } else {
      const [a, b] = (range as string).split("-");
      from = value(a as string);
      to = b === undefined ? (stepText === undefined ? from : field.max) : value(b);
    }
    if (from === undefined || to === undefined || from < field.min || to > field.max || from > to)
      return `expects values from ${field.min} to ${field.max}${field.names ? " or names" : ""}, found "${item}"`;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, zone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms)))
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** How far the zone's wall clock is ahead of UTC at an instant (ms). */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time in a zone names (the later reading in a repeated hour). */
function instantOf(year: number, month: number, day: number, hour: number, minute: number, zone: string) {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  return second;
}

/** The latest time at or before `atMs` that the schedule was due, or undefined within 5 years. */
export function previousFire(cron: Cron, zone: string, atMs: number): number | undefined {
  const now = wallClock(atMs, zone);
  const start = Date.UTC(now.year, now.month - 1, now.day);
  for (let back = 0; back < 5 * 366 + 2; back++) {
    const date = new Date(start - back * 86_400_000);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!cron.months.has(month) || !dayMatches(cron, day, date.getUTCDay())) continue;
    for (let h = cron.hours.length - 1; h >= 0; h--) {
      for (let m = cron.minutes.length - 1; m >= 0; m--) {
        const at = instantOf(year, month, day, cron.hours[h] as number, cron.minutes[m] as number, zone);
        if (at <= atMs) return at;
      }
    }
  }
  return undefined;
}

function dayMatches(cron: Cron, day: number, weekday: number): boolean {
  const byDay = cron.days.has(day);
  const byWeekday = cron.weekdays.has(weekday);
  if (cron.either) return byDay || byWeekday;
  return (!cron.daysRestricted || byDay) && (!cron.weekdaysRestricted || byWeekday);
}

/** A time as people in the zone read it: `2026-11-22 03:00 Europe/Berlin`. */
export function formatWallClock(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${zone}`;
}
