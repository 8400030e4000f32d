/**
 * Maintenance windows as code: one-off (`start`, `end`) or recurring (`days`, `at`, `duration`,
 * `timeZone`). During a window checks and metrics go on; notifications wait until it ends.
 * Everything a run needs of them is here; the check file's schema for them
 * (lib/alerting/maintenance-window.ts) stays apart, so the probe function carries no validation library.
 */

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Day = (typeof DAYS)[number];

/** A window as the schema leaves it: either `start` and `end`, or `days`, `at` and `duration`. */
export interface MaintenanceWindow {
  /** Shown in logs when the window holds a notification. */
  name?: string | undefined;
  /** One-off window: its start and end, ISO with a zone. */
  start?: string | undefined;
  end?: string | undefined;
  /** Recurring window: the days it starts on, its local start time (HH:MM), its length in ms. */
  days?: Day[] | undefined;
  at?: string | undefined;
  duration?: number | undefined;
  /** The zone of `at`. Default UTC. */
  timeZone?: string | undefined;
}

const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Local weekday (0 = Monday) and minutes since local midnight of `now` in `zone`. */
function localClock(now: Date, zone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "0";
  return { weekday: WEEKDAY[get("weekday")] ?? 0, minutes: Number(get("hour")) * 60 + Number(get("minute")) };
}

/**
 * The window covering `now`, if any. Recurring windows use local wall-clock time, so one that spans
 * a daylight-saving change is an hour longer or shorter that night.
 */
export function activeWindow(
  windows: readonly MaintenanceWindow[],
  now: Date,
): MaintenanceWindow | undefined {
  return windows.find((window) => {
    if (window.start !== undefined && window.end !== undefined) {
      return Date.parse(window.start) <= now.getTime() && now.getTime() < Date.parse(window.end);
    }
    const { weekday, minutes } = localClock(now, window.timeZone ?? "UTC");
    const [hh, mm] = (window.at as string).split(":").map(Number);
    const start = (hh as number) * 60 + (mm as number);
    const length = Math.ceil((window.duration as number) / 60_000);
    // A window may have started on one of the previous days and still run.
    for (let back = 0; back * 1440 <= length + 1440; back++) {
      const day = DAYS[(((weekday - back) % 7) + 7) % 7] as Day;
      const into = minutes + back * 1440 - start;
      if (window.days?.includes(day) && into >= 0 && into < length) return true;
    }
    return false;
  });
}
