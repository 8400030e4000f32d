import { Resolver } from "node:dns/promises";
import net from "node:net";
import { z } from "zod";
import { text } from "../checks/fields.js";
import type { Condition, Observation } from "../result.js";
import { defineProbe } from "./probe.js";

const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
type RecordType = (typeof RECORD_TYPES)[number];

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

const config = z.strictObject({
  name: text.meta({ description: "The name to resolve." }),
  type: z.enum(RECORD_TYPES, { error: `one of ${RECORD_TYPES.join(", ")}` }).default("A"),
  resolver: resolverAddress
    .optional()
    .meta({ description: "Resolver to ask (IP[:port]); default: the system's configured resolvers." }),
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

export type DnsConfig = z.output<typeof config>;

/** `1.1.1.1`, `127.0.0.1:5353`, `::1`, `[::1]:53` → the form Resolver.setServers takes. */
function parseResolver(value: string): string | undefined {
  if (net.isIP(value)) return value;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(value);
  if (v4 && net.isIPv4(v4[1] as string) && Number(v4[2]) <= 65535) return value;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(value);
  if (v6 && net.isIPv6(v6[1] as string) && Number(v6[2]) <= 65535) return value;
  return undefined;
}

async function query(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      return resolver.resolve6(name);
    case "CNAME":
      return resolver.resolveCname(name);
    case "NS":
      return resolver.resolveNs(name);
    case "MX":
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case "TXT":
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
  }
}

function describeDnsError(error: unknown, name: string, type: RecordType, server: string): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOTFOUND":
      return `${name} does not exist (NXDOMAIN from ${server})`;
    case "ENODATA":
      return `${name} has no ${type} records (${server})`;
    case "ESERVFAIL":
      return `${server} answered SERVFAIL for ${name}`;
    case "EREFUSED":
      return `${server} refused the query for ${name}`;
    case "ETIMEOUT":
      return `${server} did not answer for ${name}`;
    case "ECONNREFUSED":
      return `connection refused by resolver ${server}`;
    case "EBADRESP":
    case "EFORMERR":
      return `${server} sent a malformed answer for ${name} (${code})`;
    default:
      return `lookup of ${name} ${type} failed: ${(error as Error).message}`;
  }
}

export const dnsProbe = defineProbe({
  kind: "dns",
  config,
  target: (cfg) => `${cfg.name} ${cfg.type}${cfg.resolver ? ` @${cfg.resolver}` : ""}`,
  async run(cfg, ctx): Promise<Observation> {
    // One try: the engine owns the timeout, and a retry inside c-ares would hide a lossy resolver.
    const resolver = new Resolver({ tries: 1, timeout: 60_000 });
    if (cfg.resolver) resolver.setServers([cfg.resolver]);
    const server = cfg.resolver ?? resolver.getServers().join(", ");
    const onAbort = () => resolver.cancel();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    ctx.stage(`waiting for ${server} to answer ${cfg.name} ${cfg.type}`);
    const started = performance.now();
    let answers: string[];
    try {
      answers = await query(resolver, cfg.name, cfg.type);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const phases = { resolve: performance.now() - started };
      const text = describeDnsError(error, cfg.name, cfg.type, server);
      return {
        conditions: [{ ok: false, effect: "fail", text }],
        summary: "",
        phases,
      };
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
    const phases = { resolve: performance.now() - started };
    const shown = answers.length > 4 ? `${answers.slice(0, 4).join(", ")} …` : answers.join(", ");
    const conditions: Condition[] = [];
    const { contains, equals } = cfg.expect;
    const expectedCount = cfg.expect.count ?? (equals ? undefined : { min: 1 });
    for (const wanted of contains ?? []) {
      const ok = answers.some((answer) => sameAnswer(answer, wanted));
      conditions.push({
        ok,
        effect: "fail",
        text: ok ? `answers include ${wanted}` : `answers [${shown}] do not include ${wanted}`,
      });
    }
    if (equals) {
      const ok =
        answers.length === equals.length &&
        equals.every((wanted) => answers.some((answer) => sameAnswer(answer, wanted)));
      conditions.push({
        ok,
        effect: "fail",
        text: ok ? `answers are [${shown}]` : `answers are [${shown}], expected [${equals.join(", ")}]`,
      });
    }
    if (expectedCount !== undefined) {
      const { min, max } =
        typeof expectedCount === "number" ? { min: expectedCount, max: expectedCount } : expectedCount;
      const ok = (min === undefined || answers.length >= min) && (max === undefined || answers.length <= max);
      const range =
        min === max
          ? `${min}`
          : max === undefined
            ? `at least ${min}`
            : min === undefined
              ? `at most ${max}`
              : `${min} to ${max}`;
      conditions.push({
        ok,
        effect: "fail",
        text: `${answers.length} ${cfg.type} answer(s)${ok ? "" : `, expected ${range}`}`,
      });
    }
    return { conditions, summary: `${cfg.type} ${shown}`, phases, facts: { dnsAnswers: answers } };
  },
});

/** Names compare without case and without the trailing root dot. */
function sameAnswer(answer: string, wanted: string): boolean {
  const normal = (value: string) => value.toLowerCase().replace(/\.$/, "");
  return normal(answer) === normal(wanted);
}
