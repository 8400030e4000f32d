/** The `websocket:` block of a check file: its schema (the probe's run time is lib/probes/websocket.ts). */
import { z } from "zod";
import {
  caFile,
  clientIdentityFields,
  proxySetting,
  regex,
  requireClientPair,
  text,
} from "../../checks/fields.js";
import { hasReference } from "../../checks/syntax.js";
import { jsonAssertions, latencyExpect } from "./expect.js";

const URL_EXPECTED = "an absolute ws:// or wss:// URL";

const url = text.refine(
  (value) => {
    if (hasReference(value)) return /^(wss?:\/\/|\$\{)/.test(value);
    try {
      const parsed = new URL(value);
      return (parsed.protocol === "ws:" || parsed.protocol === "wss:") && parsed.hash === "";
    } catch {
      return false;
    }
  },
  { error: URL_EXPECTED },
);

/** A subprotocol is an HTTP token (RFC 6455 §4.1). */
const subprotocol = z.string({ error: "a subprotocol name" }).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
  error: "a subprotocol name (letters, digits and !#$%&'*+.^_`|~-)",
});

const status = z
  .number({ error: "an HTTP status code such as 101" })
  .int({ error: "an HTTP status code such as 101" })
  .min(100, { error: "an HTTP status code such as 101" })
  .max(599, { error: "an HTTP status code such as 101" });

export const websocketConfig = z
  .strictObject({
    url: url.meta({ description: "The endpoint: ws:// or wss://." }),
    headers: z
      .record(z.string(), text)
      .default({})
      .meta({ description: "Headers of the upgrade request (Authorization, Origin, Cookie …)." }),
    subprotocols: z
      .array(subprotocol, { error: "a list of subprotocol names" })
      .min(1, { error: "at least one subprotocol" })
      .optional()
      .meta({
        description: "Subprotocols offered (Sec-WebSocket-Protocol); the server must choose one of them.",
      }),
    send: text.optional().meta({
      description: "A text message to send once connected; the check then waits for the first answer.",
    }),
    ca: caFile
      .optional()
      .meta({ description: "PEM bundle of trusted roots, relative to the check file (wss)." }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: "Accept a certificate that does not verify (wss). Default false." }),
    ...clientIdentityFields("wss://"),
    proxy: proxySetting,
    expect: z
      .strictObject({
        status: status.default(101).meta({
          description: "The status the upgrade request must get. Default 101 (Switching Protocols).",
        }),
        message: z
          .strictObject({
            contains: z
              .union([z.string(), z.array(z.string())], { error: "a string or a list of strings" })
              .transform((value) => (typeof value === "string" ? [value] : value))
              .optional()
              .meta({ description: "Each string must appear in the first message." }),
            matches: regex
              .optional()
              .meta({ description: "A regular expression the first message must match." }),
            json: jsonAssertions
              .optional()
              .meta({ description: "Assertions on the first message read as JSON." }),
          })
          .optional()
          .meta({
            description:
              "The first message the server sends (the answer to `send`, or one it pushes) must hold this.",
          }),
        latency: latencyExpect.optional(),
      })
      .default({ status: 101 }),
  })
  .superRefine((config, ctx) => {
    requireClientPair(config, ctx);
  });

export type WebsocketConfig = z.output<typeof websocketConfig>;
