/**
 * The schema of the expectations kinds share (status, latency, headers, content and JSON, answers):
 * a kind's `expect` block is built from these. Their run side: lib/probes/expect/.
 */
import { z } from "zod";
import { duration, regex } from "../../checks/fields.js";
import { formatDuration } from "../../units.js";
import { parseJsonPath } from "../expect/json-path.js";
import { STATUS_CLASSES } from "../expect/status.js";

export const statusList = z
  .array(
    z.union([z.number().int().min(100).max(599), z.enum(STATUS_CLASSES)], {
      error: "an HTTP status code such as 200 or a class such as 2xx",
    }),
    { error: "a list of status codes or classes, such as [200, 204] or [2xx]" },
  )
  .min(1, { error: "at least one status" });

export const latencyExpect = z
  .strictObject({
    degraded: duration.optional().meta({ description: "Slower than this is degraded." }),
    fail: duration.optional().meta({ description: "Slower than this is down (above degraded)." }),
  })
  .superRefine((latency, ctx) => {
    // A check slow enough to be degraded would already be down: the degraded state could never show.
    if (latency.degraded !== undefined && latency.fail !== undefined && latency.degraded >= latency.fail)
      ctx.addIssue({
        code: "custom",
        path: ["degraded"],
        message: `a degraded latency below fail (${formatDuration(latency.fail)}), found ${formatDuration(latency.degraded)}`,
      });
  });

/** Strings that must each appear in a text. */
export const textList = z.array(z.string(), { error: "a list of strings" });

const jsonPath = z.string({ error: "a JSONPath such as $.status" }).superRefine((path, ctx) => {
  const parsed = parseJsonPath(path);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

/** Exactly one of `equals`, `matches`, `exists`. */
function oneMatcher<T extends { equals?: unknown; matches?: unknown; exists?: unknown }>(
  value: T,
  ctx: z.RefinementCtx,
) {
  const given = (["equals", "matches", "exists"] as const).filter((key) => value[key] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `exactly one of equals, matches or exists, found ${given.length === 0 ? "none" : given.join(" and ")}`,
    });
  }
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: "a string, number, boolean or null",
});

export const jsonAssertions = z.array(
  z
    .strictObject({
      path: jsonPath,
      equals: scalar.optional(),
      matches: regex.optional(),
      exists: z.boolean().optional(),
    })
    .superRefine(oneMatcher),
  { error: "a list of { path, equals | matches | exists }" },
);

export const headerAssertions = z.record(
  z.string(),
  z
    .strictObject({
      equals: z.string().optional(),
      matches: regex.optional(),
      exists: z.boolean().optional(),
    })
    .superRefine(oneMatcher),
);

const count = z
  .number({ error: "a whole number of answers" })
  .int({ error: "a whole number of answers" })
  .min(0, { error: "a whole number of answers" });

export const answersExpect = z.strictObject({
  contains: z
    .array(z.string(), { error: "a list of answers" })
    .optional()
    .meta({ description: "Each of these must be among the answers." }),
  equals: z
    .array(z.string(), { error: "a list of answers" })
    .optional()
    .meta({ description: "The answers must be exactly these, in any order." }),
  count: z
    .union([count, z.strictObject({ min: count.optional(), max: count.optional() })], {
      error: "a number of answers, or { min, max }",
    })
    .optional()
    .meta({ description: "How many answers: a number, or { min, max }. Default: at least one." }),
});
