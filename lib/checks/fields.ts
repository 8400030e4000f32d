/**
 * Zod pieces shared by the check schema and the probes' own config schemas. Every custom error text
 * is the "expected" half of a diagnostic (`a duration such as 30s`); the loader adds what was found.
 */
import { z } from "zod";
import { isLink } from "../link.js";
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from "../units.js";
import { ANY_REFERENCE, REFERENCE_PROVIDERS, TLS_VERSIONS } from "./syntax.js";

const DURATION_EXPECTED = "a duration such as 300ms, 30s, 5m, 26h or 14d";
const SIZE_EXPECTED = "a size such as 64KiB, 1MiB or 10MB";

/** A duration string, parsed to milliseconds. */
export const duration = z
  .string({ error: DURATION_EXPECTED })
  .regex(DURATION_PATTERN, { error: DURATION_EXPECTED })
  .transform((text) => parseDuration(text) as number)
  .meta({ description: DURATION_EXPECTED });

const LINK_EXPECTED = "an absolute http: or https: URL";

/** A URL a notification links to (a runbook): http(s) only, as lib/link.ts decides. */
export const link = z
  .string({ error: LINK_EXPECTED })
  .refine(isLink, { error: LINK_EXPECTED })
  .meta({ pattern: "^[hH][tT][tT][pP][sS]?://[^\\s]+$" });

/** A size string, parsed to bytes. */
export const size = z
  .string({ error: SIZE_EXPECTED })
  .regex(SIZE_PATTERN, { error: SIZE_EXPECTED })
  .transform((text) => parseSize(text) as number)
  .meta({ description: SIZE_EXPECTED });

const WELL_FORMED = new RegExp(`^\\$\\{(${REFERENCE_PROVIDERS.join("|")}):[^}\\s]+\\}$`);

/**
 * A string that may hold run-time references; malformed references are rejected at validation.
 * Where `${var:…}` may stand (a steps check's steps, names extracted earlier) is checked by the
 * check's schema, which sees the whole check.
 */
export const text = z
  .string({ error: "a string" })
  .superRefine((value, ctx) => {
    for (const match of value.matchAll(ANY_REFERENCE)) {
      const ok = WELL_FORMED.test(match[0]);
      if (!ok) {
        ctx.addIssue({
          code: "custom",
          message: `a reference such as \${env:NAME}, \${secret:ID} or \${ssm:NAME}, found "${match[0]}"`,
        });
      }
    }
  })
  .meta({
    description:
      "Text; may contain ${env:NAME}, ${secret:ID} or ${ssm:NAME}, resolved at run time, and in a steps check's steps ${var:NAME}, a value an earlier step extracted.",
  });

export const port = z
  .number({ error: "a port number from 1 to 65535" })
  .int({ error: "a port number from 1 to 65535" })
  .min(1, { error: "a port number from 1 to 65535" })
  .max(65535, { error: "a port number from 1 to 65535" });

/** A regular expression, compiled at validation so a bad pattern is a file error, not a run error. */
export const regex = z.string({ error: "a regular expression" }).superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `a valid regular expression (${(error as Error).message})` });
  }
});

/** Host name or IP address, possibly from a reference. */
export const host = text.refine((value) => value.length > 0 && !/[\s/]/.test(value), {
  error: "a host name or IP address without scheme or path",
});

/** A PEM bundle path relative to the check file. */
export const caFile = z.string({ error: "a path to a PEM file, relative to the check file" }).min(1);

/** PEM text from a file relative to the check file, or from a reference (`${secret:ID}`) holding it. */
export const pemSource = text
  .min(1, { error: "a path to a PEM file, relative to the check file, or a reference such as ${secret:ID}" })
  .meta({
    description: "A PEM file relative to the check file, or a reference such as ${secret:ID} holding PEM.",
  });

export const tlsVersion = z.enum(TLS_VERSIONS, { error: `one of ${TLS_VERSIONS.join(", ")}` });

/** A check's own proxy (http, grpc, websocket), instead of the environment's. */
export const proxySetting = z
  .union(
    [
      text,
      z.strictObject({
        url: text.meta({ description: "The proxy: http://host:port." }),
        username: text.optional(),
        password: text.optional().meta({ description: "A reference such as ${secret:ID}." }),
      }),
    ],
    { error: "an http:// proxy URL, or { url, username, password }" },
  )
  .optional()
  .meta({
    description:
      "The proxy this check goes through, instead of HTTPS_PROXY/HTTP_PROXY: a CONNECT tunnel for TLS, gRPC and WebSocket, absolute form for plain http; credentials by reference.",
  });

/** What a client certificate without its key (or a key without its certificate) is told. */
export const CLIENT_PAIR = "clientCert and clientKey together (a certificate needs its key)";

/** A client certificate and its key for mutual TLS; `only` says where they apply when not always. */
export function clientIdentityFields(only?: string) {
  const where = only ? ` (${only} only)` : "";
  return {
    clientCert: pemSource.optional().meta({
      description: `Client certificate (PEM, chain allowed) for mutual TLS${where}: a file relative to the check file, or a reference holding the PEM.`,
    }),
    clientKey: pemSource.optional().meta({
      description: `The client certificate's private key (PEM)${where}: a reference such as \${secret:ID}, or a file (local runs only).`,
    }),
  };
}

/** Refuses a client certificate given without its key, or a key without its certificate. */
export function requireClientPair(
  config: { clientCert?: string | undefined; clientKey?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if ((config.clientCert === undefined) === (config.clientKey === undefined)) return;
  ctx.addIssue({
    code: "custom",
    path: [config.clientCert === undefined ? "clientKey" : "clientCert"],
    message: CLIENT_PAIR,
  });
}
