/** The `tls:` block of a check file: its schema (the probe's run time is lib/probes/tls.ts). */
import { z } from "zod";
import { caFile, duration, host, port, text, tlsVersion } from "../../checks/fields.js";

export const tlsConfig = z.strictObject({
  /** Host name or address to connect to. */
  host: host.meta({ description: "Host name or IP address to connect to." }),
  port: port.default(443).meta({ description: "TCP port. Default 443." }),
  serverName: text
    .optional()
    .meta({ description: "SNI and the name the certificate must match. Default: host." }),
  ca: caFile.optional().meta({ description: "PEM bundle of trusted roots, relative to the check file." }),
  expect: z
    .strictObject({
      validFor: duration.optional().meta({
        description: "Minimum remaining validity of the leaf and of every certificate in the chain.",
      }),
      hostname: z
        .boolean()
        .default(true)
        .meta({ description: "The certificate must name the host. Default true." }),
      trusted: z.boolean().default(true).meta({ description: "The chain must verify. Default true." }),
      minVersion: tlsVersion.optional().meta({ description: "Lowest acceptable negotiated TLS version." }),
    })
    .default({ hostname: true, trusted: true }),
});

export type TlsConfig = z.output<typeof tlsConfig>;
