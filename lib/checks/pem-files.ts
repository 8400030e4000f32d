/**
 * The PEM files a check's config names (`ca:`, a client certificate and key): one
 * list for the loader, which checks they exist, and for the deployment, which inlines certificates
 * and refuses key files. A value holding a reference, or PEM text itself, names no file.
 */
import { STEP_KINDS } from "../probes/kinds.js";
import { hasReference } from "./syntax.js";

export interface PemFile {
  /** Where in the kind's block: `["ca"]`, `["tls", "clientKey"]`; a flow's: `["1", "http", "ca"]`. */
  field: readonly string[];
  file: string;
  /** A private key: never copied into a deployment. */
  secret: boolean;
}

const FIELDS: readonly { field: readonly string[]; secret: boolean }[] = [
  { field: ["ca"], secret: false },
  { field: ["tls", "clientCert"], secret: false },
  { field: ["tls", "clientKey"], secret: true },
  // grpc and websocket name them beside `ca`.
  { field: ["clientCert"], secret: false },
  { field: ["clientKey"], secret: true },
];

export function isPemFile(value: unknown): value is string {
  return typeof value === "string" && !hasReference(value) && !value.startsWith("-----BEGIN");
}

export function pemFiles(config: unknown): PemFile[] {
  // A flow's steps: each step's block of its kind, as a check of that kind.
  if (Array.isArray(config))
    return config.flatMap((step: Record<string, unknown>, i) =>
      STEP_KINDS.filter((kind) => step?.[kind] !== undefined).flatMap((kind) =>
        pemFiles(step[kind]).map((pem) => ({ ...pem, field: [String(i), kind, ...pem.field] })),
      ),
    );
  const found: PemFile[] = [];
  for (const { field, secret } of FIELDS) {
    let value: unknown = config;
    for (const key of field) value = (value as Record<string, unknown> | undefined)?.[key];
    if (isPemFile(value)) found.push({ field, file: value, secret });
  }
  return found;
}
