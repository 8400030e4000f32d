/** The `grpc:` block of a check file: its schema (the probe's run time is lib/probes/grpc.ts). */
import { z } from "zod";
import { caFile, clientIdentityFields, proxySetting, requireClientPair, text } from "../../checks/fields.js";
import { hasReference } from "../../checks/syntax.js";
import { SERVING_STATUSES } from "../grpc/health.js";
import { parseGrpcTarget } from "../grpc/target.js";
import { latencyExpect } from "./expect.js";

const TARGET_EXPECTED = "host:port, such as payments.internal:50051 or [::1]:50051";

/** Header names gRPC or HTTP/2 own: metadata may not replace them. */
const RESERVED_METADATA =
  /^(:|grpc-)|^(content-type|te|user-agent|host|connection|transfer-encoding|upgrade)$/;

const metadataName = z
  .string()
  .regex(/^[0-9a-z_.-]+$/, { error: "metadata names in lower case (0-9 a-z _ . -)" })
  .refine((name) => !RESERVED_METADATA.test(name), {
    error: "a metadata name gRPC does not reserve (not grpc-*, content-type, te, user-agent …)",
  });

export const grpcConfig = z
  .strictObject({
    target: text
      .refine((value) => hasReference(value) || parseGrpcTarget(value, false) !== undefined, {
        error: TARGET_EXPECTED,
      })
      .meta({ description: `The server: ${TARGET_EXPECTED}. Without a port: 443 with tls, 80 without.` }),
    service: z
      .string({ error: "a service name, or empty for the whole server" })
      .default("")
      .meta({ description: 'The service whose health is asked ("" = the server as a whole). Default "".' }),
    tls: z.boolean().default(false).meta({ description: "Connect over TLS. Default false (plain HTTP/2)." }),
    ca: caFile
      .optional()
      .meta({ description: "PEM bundle of trusted roots, relative to the check file (tls)." }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: "Accept a certificate that does not verify (tls). Default false." }),
    serverName: text.optional().meta({
      description: "SNI and the name the certificate must match (tls). Default: the target's host.",
    }),
    ...clientIdentityFields("tls: true"),
    proxy: proxySetting,
    metadata: z
      .record(metadataName, text)
      .default({})
      .meta({ description: "Request metadata (headers), such as authorization; names in lower case." }),
    expect: z
      .strictObject({
        status: z
          .enum(SERVING_STATUSES, { error: `one of ${SERVING_STATUSES.join(", ")}` })
          .default("SERVING")
          .meta({ description: "The serving status the health service must answer. Default SERVING." }),
        latency: latencyExpect.optional(),
      })
      .default({ status: "SERVING" }),
  })
  .superRefine((config, ctx) => {
    requireClientPair(config, ctx);
    if (config.tls) return;
    for (const key of ["ca", "insecure", "serverName", "clientCert", "clientKey"] as const) {
      if (config[key] === undefined || config[key] === false) continue;
      ctx.addIssue({ code: "custom", path: [key], message: `tls: true for ${key} to apply` });
    }
  });

export type GrpcConfig = z.output<typeof grpcConfig>;
