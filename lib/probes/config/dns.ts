/** The `dns:` block of a check file: its schema (the probe's run time is lib/probes/dns.ts). */
import { z } from "zod";
import { text } from "../../checks/fields.js";
import { parseResolver } from "../dns-address.js";

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const RESOLVER_EXPECTED = "a resolver address such as 1.1.1.1, 127.0.0.1:5353 or [::1]:53";

const resolverAddress = z
  .string({ error: RESOLVER_EXPECTED })
  .refine((value) => parseResolver(value) !== undefined, {
    error: RESOLVER_EXPECTED,
  });

const count = z
  .number({ error: "a whole number of answers" })
  .int({ error: "a whole number of answers" })
  .min(0, { error: "a whole number of answers" });

export const dnsConfig = z.strictObject({
  name: text.meta({ description: "The name to resolve." }),
  type: z.enum(RECORD_TYPES, { error: `one of ${RECORD_TYPES.join(", ")}` }).default("A"),
  resolver: resolverAddress
    .optional()
    .meta({ description: "Server to ask (IP[:port]); default: the system's first configured resolver." }),
  expect: z
    .strictObject({
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
    })
    .default({}),
});

export type DnsConfig = z.output<typeof dnsConfig>;
