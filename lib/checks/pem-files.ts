/**
 * The PEM files a check's config names (`ca:`, an http check's client certificate and key): one
 * list for the loader, which checks they exist, and for the deployment, which inlines certificates
 * and refuses key files. A value holding a reference, or PEM text itself, names no file.
 */
import { hasReference } from "./syntax.js";

export interface PemFile {
  /** Where in the kind's block: `["ca"]`, `["tls", "clientKey"]`. */
  field: readonly string[];
  file: string;
  /** A private key: never copied into a deployment. */
  secret: boolean;
}

const FIELDS: readonly { field: readonly string[]; secret: boolean }[] = [
  { field: ["ca"], secret: false },
  { field: ["tls", "clientCert"], secret: false },
  { field: ["tls", "clientKey"], secret: true },
];

export function isPemFile(value: unknown): value is string {
  return typeof value === "string" && !hasReference(value) && !value.startsWith("-----BEGIN");
}

export function pemFiles(config: unknown): PemFile[] {
  const found: PemFile[] = [];
  for (const { field, secret } of FIELDS) {
    let value: unknown = config;
    for (const key of field) value = (value as Record<string, unknown> | undefined)?.[key];
    if (isPemFile(value)) found.push({ field, file: value, secret });
  }
  return found;
}
