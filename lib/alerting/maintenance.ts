/**
 * Maintenance windows as code: one-off (`start`, `end`) or recurring (`days`, `at`, `duration`,
 * `timeZone`). During a window checks and metrics go on; notifications wait until it ends.
 */
import { z } from "zod";
import { duration } from "../checks/fields.js";

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Day = (typeof DAYS)[number];

const instant = z.iso.datetime({
  offset: true,
  error: "a date and time with a zone, such as 2026-12-24T18:00:00Z",
});

const timeZone = z.string({ error: "an IANA time zone such as Europe/Berlin" }).refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: "an IANA time zone such as Europe/Berlin or UTC" },
);

export const maintenanceWindow = z
  .strictObject({
    name: z.string().optional().meta({ description: "Shown in logs when the window holds a notification." }),
    start: instant.optional().meta({ description: "One-off window: its start, with a zone." }),
    end: instant.optional().meta({ description: "One-off window: its end, with a zone." }),
    days: z
      .array(z.enum(DAYS, { error: `one of ${DAYS.join(", ")}` }), {
        error: "a list of days such as [sat, sun]",
      })
      .min(1, { error: "at least one day" })
      .optional()
      .meta({ description: "Recurring window: the days it starts on." }),
    at: z
      .string({ error: "a time of day such as 02:30" })
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "a time of day such as 02:30" })
      .optional()
      .meta({ description: "Recurring window: its local start time, HH:MM." }),
    duration: duration.optional().meta({ description: "Recurring window: how long it lasts." }),
    timeZone: timeZone.optional().meta({ description: "Recurring window: the zone of `at`. Default UTC." }),
  })
  .superRefine((window, ctx) => {
    const oneOff = window.start !== undefined || window.end !== undefined;
    const recurring = window.days !== undefined || window.at !== undefined || window.duration !== undefined;
    if (oneOff && recurring) {
      ctx.addIssue({
        code: "custom",
        message: "either start and end, or days, at and duration, found both kinds of fields",
      });
    } else if (oneOff) {
      if (window.start === undefined || window.end === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `both start and end, found only ${window.start ? "start" : "end"}`,
        });
      } else if (Date.parse(window.end) <= Date.parse(window.start)) {
        ctx.addIssue({ code: "custom", message: "an end after the start", path: ["end"] });
      }
    } else if (!recurring) {
      ctx.addIssue({
        code: "custom",
        message: "either start and end, or days, at and duration, found neither",
      });
    } else {
      const missing = (["days", "at", "duration"] as const).filter((key) => window[key] === undefined);
      if (missing.length > 0)
        ctx.addIssue({ code: "custom", message: `days, at and duration, found no ${missing.join(" or ")}` });
    }
  });

export type MaintenanceWindow = z.output<typeof maintenanceWindow>;

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
