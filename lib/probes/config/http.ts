/** The `http:` block of a check file: its schema (the probe's run time is lib/probes/http.ts). */
import { z } from "zod";
import { caFile, duration, regex, size, text } from "../../checks/fields.js";
import { hasReference } from "../../checks/syntax.js";
import { parseJsonPath } from "../json-path.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

const url = text.refine(
  (value) => {
    if (hasReference(value)) return /^(https?:\/\/|\$\{)/.test(value);
    try {
      const parsed = new URL(value);
      return parsed.protocol === "http:" || parsed.protocol === "https:";
    } catch {
      return false;
    }
  },
  { error: "an absolute http:// or https:// URL" },
);

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

export const httpConfig = z.strictObject({
  url: url.meta({ description: "The URL to request; http:// or https://." }),
  method: z.enum(METHODS, { error: `one of ${METHODS.join(", ")}` }).default("GET"),
  headers: z.record(z.string(), text).default({}).meta({ description: "Request headers." }),
  body: text.optional().meta({ description: "Request body." }),
  followRedirects: z.boolean().default(true).meta({ description: "Follow 3xx redirects. Default true." }),
  maxRedirects: z
    .number({ error: "a whole number from 0 to 30" })
    .int({ error: "a whole number from 0 to 30" })
    .min(0, { error: "a whole number from 0 to 30" })
    .max(30, { error: "a whole number from 0 to 30" })
    .default(10)
    .meta({ description: "Most redirects to follow. Default 10, as blackbox_exporter." }),
  ca: caFile.optional().meta({ description: "PEM bundle of trusted roots, relative to the check file." }),
  insecure: z.boolean().default(false).meta({ description: "Skip certificate verification. Default false." }),
  maxBodySize: size.default(1_048_576).meta({
    description: "Read at most this much of the body; a larger body fails the check. Default 1MiB.",
  }),
  expect: z
    .strictObject({
      status: z
        .array(
          z.union([z.number().int().min(100).max(599), z.enum(STATUS_CLASSES)], {
            error: "an HTTP status code such as 200 or a class such as 2xx",
          }),
          { error: "a list of status codes or classes, such as [200, 204] or [2xx]" },
        )
        .min(1, { error: "at least one status" })
        .default(["2xx"])
        .meta({ description: "Acceptable statuses: codes (200) or classes (2xx). Default [2xx]." }),
      latency: z
        .strictObject({
          degraded: duration.optional().meta({ description: "Slower than this is degraded." }),
          fail: duration.optional().meta({ description: "Slower than this is down." }),
        })
        .optional(),
      bodyContains: z
        .array(z.string(), { error: "a list of strings" })
        .optional()
        .meta({ description: "Each string must appear in the body." }),
      bodyMatches: regex.optional().meta({ description: "A regular expression the body must match." }),
      json: z
        .array(
          z
            .strictObject({
              path: jsonPath,
              equals: scalar.optional(),
              matches: regex.optional(),
              exists: z.boolean().optional(),
            })
            .superRefine(oneMatcher),
          { error: "a list of { path, equals | matches | exists }" },
        )
        .optional()
        .meta({ description: "Assertions on a JSON body." }),
      headers: z
        .record(
          z.string(),
          z
            .strictObject({
              equals: z.string().optional(),
              matches: regex.optional(),
              exists: z.boolean().optional(),
            })
            .superRefine(oneMatcher),
        )
        .optional()
        .meta({ description: "Assertions on response headers, by case-insensitive name." }),
      certificate: z
        .strictObject({
          validFor: duration.meta({ description: "Minimum remaining validity (https only)." }),
        })
        .optional(),
    })
    .default({ status: ["2xx"] }),
});

export type HttpConfig = z.output<typeof httpConfig>;
