/**
 * The one list of check kinds. The run-time registry (lib/probes/index.ts) and the schema registry
 * (lib/probes/config/index.ts) are each typed as a record over it, so neither can miss a kind.
 */
export const KINDS = ["http", "tls", "tcp", "dns", "backup", "heartbeat", "grpc"] as const;
export type Kind = (typeof KINDS)[number];
