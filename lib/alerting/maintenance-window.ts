/** A maintenance window in a check file: its schema (what a window is and does: lib/alerting/maintenance.ts). */
import { z } from "zod";
import { duration } from "../checks/fields.js";
import { DAYS, type MaintenanceWindow } from "./maintenance.js";

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
  }) satisfies z.ZodType<MaintenanceWindow>;
