/**
 * The one list of check kinds. The run-time registry (lib/probes/index.ts) and the schema registry
 * (lib/probes/config/index.ts) are each typed as a record over it, so neither can miss a kind.
 */
export const KINDS = [
  "http",
  "tls",
  "tcp",
  "dns",
  "backup",
  "heartbeat",
  "grpc",
  "steps",
  "websocket",
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * The kinds whose latency times no target: a heartbeat's job pushes its pings, and the check only
 * reads them back. Their latency is shown nowhere a reader would take it for a service's.
 */
export const UNTIMED_KINDS: readonly string[] = ["heartbeat"] satisfies readonly Kind[];

/** The kinds a step of a `steps` check may be: one exchange with a target each. */
export const STEP_KINDS = ["http", "tcp", "tls", "dns"] as const satisfies readonly Kind[];
export type StepKind = (typeof STEP_KINDS)[number];

/** Most steps in one flow. */
export const MAX_STEPS = 10;

/** What each step kind can extract a variable from. */
export const EXTRACT_SOURCES = {
  http: ["json", "header", "regex"],
  dns: ["answer"],
  tcp: [],
  tls: [],
} as const satisfies Record<StepKind, readonly string[]>;
export type ExtractSource = "json" | "header" | "regex" | "answer";
