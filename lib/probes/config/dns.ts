/** The `dns:` block of a check file: its schema (the probe's run time is lib/probes/dns.ts). */
import { z } from "zod";
import { text } from "../../checks/fields.js";
import { parseResolver } from "../dns-address.js";
import { answersExpect } from "./expect.js";

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const RESOLVER_EXPECTED = "a resolver address such as 1.1.1.1, 127.0.0.1:5353 or [::1]:53";

const resolverAddress = z
  .string({ error: RESOLVER_EXPECTED })
  .refine((value) => parseResolver(value) !== undefined, {
    error: RESOLVER_EXPECTED,
  });

export const dnsConfig = z.strictObject({
  name: text.meta({ description: "The name to resolve." }),
  type: z.enum(RECORD_TYPES, { error: `one of ${RECORD_TYPES.join(", ")}` }).default("A"),
  resolver: resolverAddress
    .optional()
    .meta({ description: "Server to ask (IP[:port]); default: the system's first configured resolver." }),
  expect: answersExpect.default({}),
});

export type DnsConfig = z.output<typeof dnsConfig>;
