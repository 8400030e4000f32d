/** The `heartbeat:` block of a check file: its schema (the verdict is lib/heartbeat/verdict.ts). */
import { z } from "zod";
import { duration, size, text } from "../../checks/fields.js";
import { isTimeZone, parseCron } from "../../heartbeat/cron.js";

const cron = z.string({ error: 'a cron expression such as "0 3 * * *"' }).superRefine((value, ctx) => {
  const parsed = parseCron(value);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

const timezone = z
  .string({ error: "an IANA time zone such as Europe/Berlin" })
  .refine(isTimeZone, { error: "an IANA time zone such as Europe/Berlin or UTC" });

export const heartbeatConfig = z
  .strictObject({
    every: duration.optional().meta({
      description:
        "The job pings at least this often (a success or a failure). Exactly one of every and cron.",
    }),
    cron: cron.optional().meta({
      description:
        'The job\'s own schedule, five cron fields ("0 3 * * *"): each run must ping by its time plus grace.',
    }),
    timezone: timezone
      .optional()
      .meta({ description: "The time zone of cron (IANA, e.g. Europe/Berlin). Default UTC." }),
    grace: duration.optional().meta({
      description:
        "How late a ping may be before the check is down. Default: a tenth of the period, at least 1m and at most 1h.",
    }),
    token: text.optional().meta({
      description:
        "The ping token, as a reference (${secret:ID}, ${ssm:NAME}, ${env:NAME}). Default: derived from the deployment's heartbeat key (watchpost token NAME).",
    }),
    expect: z
      .strictObject({
        minDuration: duration
          .optional()
          .meta({ description: "A run (start ping to success) shorter than this is down." }),
        maxDuration: duration.optional().meta({
          description: "A run longer than this, or started and not finished after this long, is down.",
        }),
        minSize: size
          .optional()
          .meta({ description: "A success reporting fewer bytes than this (size=), or none, is down." }),
        minInterval: duration.optional().meta({
          description:
            "Successes closer together than this mean the job runs too often. Default: half the period; 0s turns it off.",
        }),
      })
      .default({}),
  })
  .superRefine((cfg, ctx) => {
    const given = (["every", "cron"] as const).filter((key) => cfg[key] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: "custom",
        message: `exactly one of every and cron, found ${given.length === 0 ? "none" : "both"}`,
      });
    if (cfg.timezone !== undefined && cfg.cron === undefined)
      ctx.addIssue({ code: "custom", path: ["timezone"], message: "a timezone only together with cron" });
    const { minDuration, maxDuration } = cfg.expect;
    if (minDuration !== undefined && maxDuration !== undefined && minDuration >= maxDuration)
      ctx.addIssue({
        code: "custom",
        path: ["expect", "minDuration"],
        message: "a minDuration below maxDuration",
      });
  });

export type HeartbeatConfig = z.output<typeof heartbeatConfig>;
