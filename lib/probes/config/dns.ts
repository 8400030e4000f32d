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
  ednsBufferSize: z
    .union([z.literal(false), z.number().int().min(512).max(65_535)], {
      error: "a whole number from 512 to 65535 (bytes), or false for no EDNS0",
    })
    .default(1232)
    .meta({
      description:
        "The UDP answer size offered with EDNS0 (RFC 6891); false sends none (answers over 512 bytes then come over TCP). Default 1232, as DNS Flag Day 2020.",
    }),
  expect: answersExpect.default({}),
});

export type DnsConfig = z.output<typeof dnsConfig>;
