/** The check file, as a zod schema built from the probe registry; the JSON Schema is generated from it. */
import { z } from "zod";
import { maintenanceWindow } from "../alerting/maintenance-window.js";
import { RESERVED_LABELS } from "../metrics/series.js";
import { CONFIGS } from "../probes/config/index.js";
import { KINDS, STEP_KINDS } from "../probes/kinds.js";
import { duration, link } from "./fields.js";
import { strings, variablesIn } from "./syntax.js";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

const NAME_EXPECTED = "a name of lower-case letters, digits and dashes, starting with a letter (at most 63)";
const name = z
  .string({ error: NAME_EXPECTED })
  .regex(/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: NAME_EXPECTED })
  .meta({ description: "Unique across all check files: lower-case letters, digits and dashes." });

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, {
    error: "a label name of letters, digits and underscores (Prometheus rules)",
  })
  .refine((key) => !key.startsWith("__") && !RESERVED_LABELS.includes(key), {
    error: `a label name other than ${RESERVED_LABELS.join(", ")} or __*, which Watchpost sets itself`,
  });

const count = (what: string) =>
  z
    .number({ error: `a whole number of ${what} from 1 to 100` })
    .int({ error: `a whole number of ${what} from 1 to 100` })
    .min(1, { error: `a whole number of ${what} from 1 to 100` })
    .max(100, { error: `a whole number of ${what} from 1 to 100` });

const alert = z.strictObject({
  failAfter: count("failed runs").optional().meta({
    description: "Failed runs (in a row, or among the last failWithin) before alerting. Default 2.",
  }),
  failWithin: count("runs").optional().meta({
    description:
      "Alert when failAfter of the last failWithin runs failed (a failure-rate policy). Default: failAfter, i.e. in a row.",
  }),
  recoverAfter: count("successful runs").optional().meta({
    description: "Successful runs (in a row, or among the last recoverWithin) before resolving. Default 1.",
  }),
  recoverWithin: count("runs").optional().meta({
    description:
      "Resolve when recoverAfter of the last recoverWithin runs passed. Default: recoverAfter, i.e. in a row.",
  }),
  confirmAfter: z
    .union([duration, z.literal(false)], { error: "a duration such as 20s, or false" })
    .optional()
    .meta({
      description:
        "When a check that is not firing fails, probe it again this much later in the same run and count that as the next run (deployed function and --watch). false turns it off. Default 20s.",
    }),
  renotifyEvery: duration
    .optional()
    .meta({ description: "Remind while still failing, this often. Default: never." }),
  runbook: link
    .optional()
    .meta({ description: "Link included in every notification: an absolute http: or https: URL." }),
  notifyDegraded: z
    .boolean({ error: "true or false" })
    .optional()
    .meta({ description: "Alert (as warning) when the check is degraded. Default false." }),
  quorum: count("locations").optional().meta({
    description:
      "With several locations: how many must see a failure for the run to count as failed. Default: a majority of the locations that reported within the interval.",
  }),
});

const PERCENT_EXPECTED = "a percentage below 100 such as 99.9%";
const percent = z
  .string({ error: PERCENT_EXPECTED })
  .regex(/^\d{1,2}(\.\d+)?%$/, { error: PERCENT_EXPECTED })
  .transform((text) => Number(text.slice(0, -1)) / 100);

const QUANTILES = ["p50", "p90", "p95", "p99"] as const;
const sloFields = {
  availability: percent.optional().meta({
    description:
      "The share of runs (up or degraded; unknown runs are not counted) that must pass, e.g. 99.9%.",
  }),
  latency: z
    .strictObject(
      Object.fromEntries(QUANTILES.map((q) => [q, duration.optional()])) as Record<
        (typeof QUANTILES)[number],
        z.ZodOptional<typeof duration>
      >,
    )
    .optional()
    .meta({ description: "One percentile of passing runs' latency, e.g. { p95: 300ms }." }),
  window: duration
    .optional()
    .meta({ description: "The window the objective is measured over. Default 30d." }),
};

/** An availability or a latency objective (or both), and exactly one percentile in `latency`. */
function sloRefinement(
  value: { availability?: number; latency?: Partial<Record<(typeof QUANTILES)[number], unknown>> },
  ctx: z.RefinementCtx,
) {
  if (value.availability === undefined && value.latency === undefined)
    ctx.addIssue({ code: "custom", message: "an availability, a latency objective or both" });
  const given = QUANTILES.filter((q) => value.latency?.[q] !== undefined);
  if (value.latency !== undefined && given.length !== 1)
    ctx.addIssue({
      code: "custom",
      path: ["latency"],
      message: `exactly one of ${QUANTILES.join(", ")}, found ${given.length === 0 ? "none" : given.join(" and ")}`,
    });
}

const slo = z.strictObject(sloFields).superRefine(sloRefinement);
const LOCATION_EXPECTED =
  "a location: an AWS region such as eu-west-1, or a name of lower-case letters, digits and dashes";
const locationName = z
  .string({ error: LOCATION_EXPECTED })
  .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: LOCATION_EXPECTED });

const common = {
  interval: duration.optional().meta({ description: "How often the check runs. Default 1m." }),
  timeout: duration.optional().meta({
    description:
      "How long one attempt may take (a run, retries included, takes at most 2 × timeout + 1.5s). Default 10s; at most the interval.",
  }),
  severity: z
    .enum(SEVERITIES, { error: `one of ${SEVERITIES.join(", ")}` })
    .optional()
    .meta({ description: "critical, warning or info. Default critical." }),
  labels: z
    .record(labelName, z.string({ error: "a string label value" }))
    .optional()
    .meta({ description: "Extra labels on the check's metrics and notifications." }),
  alert: alert.optional(),
  locations: z
    .array(locationName, { error: "a list of locations" })
    .min(1, { error: "a list of at least one location" })
    .optional()
    .meta({
      description:
        "Where the check runs: some of the deployment's locations (AWS regions; --location names locally). Default: every location.",
    }),
  retries: z
    .number({ error: "a whole number of retries from 0 to 3" })
    .int({ error: "a whole number of retries from 0 to 3" })
    .min(0, { error: "a whole number of retries from 0 to 3" })
    .max(3, { error: "a whole number of retries from 0 to 3" })
    .optional()
    .meta({
      description:
        "Retries within a run after a failed attempt of any kind, after a 0.5-1.5s pause, while the run stays within 2 × timeout. Default 3.",
    }),
  slo: slo.optional().meta({
    description:
      "A service level objective: error budget and burn-rate alerts from the check's history (watchpost slo).",
  }),
  trace: z.boolean({ error: "true or false" }).optional().meta({
    description:
      "Send a W3C traceparent (and tracestate: watchpost=CHECK) on http requests, a fresh trace id per run, kept in the result and notifications. http checks and the http steps of a steps check. Default false.",
  }),
  maintenance: z
    .array(maintenanceWindow, { error: "a list of maintenance windows" })
    .optional()
    .meta({ description: "Windows in which notifications are held (checks and metrics go on)." }),
};

const kindFields = Object.fromEntries(KINDS.map((kind) => [kind, CONFIGS[kind].optional()])) as {
  [K in keyof typeof CONFIGS]: z.ZodOptional<(typeof CONFIGS)[K]>;
};

const dependsOn = z
  .array(z.string({ error: "a check name" }), { error: "a list of check names" })
  .optional()
  .meta({
    description:
      "Checks this one depends on (in any file). While one of them fails, this check's alerts are held and listed on the dependency's alert.",
  });

export const checkSchema = z.strictObject({ name, ...common, dependsOn, ...kindFields }).superRefine(
  (check, ctx) => {
    const given = KINDS.filter((kind) => (check as Record<string, unknown>)[kind] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `exactly one kind key (${KINDS.join(", ")}), found ${given.length === 0 ? "none" : given.join(" and ")}`,
      });
    }
    // A variable is a value an earlier step extracted: a check of any other kind has none.
    for (const kind of given.filter((k) => k !== "steps")) {
      for (const [path, text] of strings((check as Record<string, unknown>)[kind], [kind])) {
        const [name] = variablesIn(text);
        if (name !== undefined)
          ctx.addIssue({
            code: "custom",
            path,
            message: `\${env:…}, \${secret:…} or \${ssm:…} (\${var:…} names a value extracted by an earlier step of a steps check), found \${var:${name}}`,
          });
      }
    }
  },
  // Report a missing kind even when other fields of the check are wrong too.
  {
    when: (payload) =>
      typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value),
  },
);

/** An objective over every check carrying some labels (a team's, a service's). */
const sloGroup = z
  .strictObject({
    name: name.meta({
      description: "Names the group's objective (its alerts are NAME/slo); unique among groups and checks.",
    }),
    labels: z
      .record(z.string(), z.string({ error: "a string label value" }), {
        error: "labels, such as { team: payments }",
      })
      .refine((labels) => Object.keys(labels).length > 0, { error: "at least one label" })
      .meta({ description: "Every check with all of these labels (in any file) is in the group." }),
    ...sloFields,
  })
  .superRefine(sloRefinement);

export const fileSchema = z.strictObject({
  defaults: z.strictObject(common).optional().meta({ description: "Applies to every check in this file." }),
  checks: z
    .array(checkSchema, { error: "a list of checks" })
    .meta({ description: "The checks in this file." }),
  slos: z
    .array(sloGroup, { error: "a list of group objectives" })
    .optional()
    .meta({ description: "Objectives over groups of checks, chosen by their labels (watchpost slo)." }),
});

export type CheckFile = z.output<typeof fileSchema>;
export type CheckEntry = z.output<typeof checkSchema>;

/** The JSON Schema editors use for completion; `oneOf` says what zod's refinement says: one kind key. */
export function jsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fileSchema, { io: "input", unrepresentable: "any" }) as unknown as {
    properties: { checks: { items: Record<string, unknown> } };
  };
  const check = schema.properties.checks.items as {
    oneOf?: unknown;
    properties: { steps: { items: { properties: Record<string, unknown>; oneOf?: unknown } } };
  };
  check.oneOf = KINDS.map((kind) => ({ required: [kind] }));
  // The `steps` key of a step exists only to refuse nesting with a clear message: no completion.
  const step = check.properties.steps.items;
  delete step.properties.steps;
  step.oneOf = STEP_KINDS.map((kind) => ({ required: [kind] }));
  return { ...schema, title: "Watchpost check file" };
}
