/** The `http:` block of a check file: its schema (the probe's run time is lib/probes/http.ts). */
import { z } from "zod";
import {
  caFile,
  clientIdentityFields,
  duration,
  proxySetting,
  regex,
  requireClientPair,
  size,
  text,
} from "../../checks/fields.js";
import { hasReference } from "../../checks/syntax.js";
import { headerAssertions, jsonAssertions, latencyExpect, statusList, textList } from "./expect.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** What a check may ask for by name, as blackbox_exporter's `compression` (lib/probes/http/content-encoding.ts decodes them). */
const COMPRESSIONS = ["gzip", "deflate", "br", "identity"] as const;

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
  redirects: z
    .strictObject({
      keepHeaders: z.boolean().optional().meta({
        description:
          "Send the check's headers on to another origin a redirect points to. Default false: they are dropped.",
      }),
    })
    .optional()
    .meta({ description: "How redirects to another origin are followed." }),
  ca: caFile.optional().meta({ description: "PEM bundle of trusted roots, relative to the check file." }),
  insecure: z.boolean().default(false).meta({ description: "Skip certificate verification. Default false." }),
  tls: z
    .strictObject({
      serverName: text.optional().meta({
        description:
          "SNI and the name the certificate must match. Default: the Host header's name, else the URL's host.",
      }),
      ...clientIdentityFields(),
    })
    .superRefine(requireClientPair)
    .optional(),
  proxy: proxySetting,
  maxBodySize: size.default(1_048_576).meta({
    description:
      "Read at most this much of the body, and decode at most this much of a compressed one; a larger body fails the check. Default 1MiB.",
  }),
  compression: z
    .enum(COMPRESSIONS, { error: `one of ${COMPRESSIONS.join(", ")}` })
    .optional()
    .meta({
      description:
        "Ask for this encoding (Accept-Encoding, unless the headers set one) and decode the body before assertions, as blackbox_exporter's compression. An Accept-Encoding header alone does the same.",
    }),
  expect: z
    .strictObject({
      status: statusList
        .default(["2xx"])
        .meta({ description: "Acceptable statuses: codes (200) or classes (2xx). Default [2xx]." }),
      latency: latencyExpect.optional(),
      bodyContains: textList.optional().meta({ description: "Each string must appear in the body." }),
      bodyMatches: regex.optional().meta({ description: "A regular expression the body must match." }),
      json: jsonAssertions.optional().meta({ description: "Assertions on a JSON body." }),
      headers: headerAssertions
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
