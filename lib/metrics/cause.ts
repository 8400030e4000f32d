/**
 * Why a check failed, as one of a few words: the `cause` label of `watchpost_check_failure`, which
 * blackbox_exporter's users ask for (its issue #1077) and cannot have there. A short, fixed list, so
 * the label never multiplies series the way a free-text reason would.
 */
import type { CheckResult } from "../result.js";

export const FAILURE_CAUSES = [
  "timeout",
  "dns",
  "connection",
  "tls",
  "certificate_expiry",
  "http_status",
  "grpc_status",
  "redirect",
  "content",
  "latency",
  "backup",
  "indeterminate",
  "other",
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** Reasons as the probes and the engine word them, first match wins. */
const PATTERNS: [RegExp, FailureCause][] = [
  [/^(flow )?timed out after /, "timeout"],
  [/^certificate (expires in|expired)|^chain certificate .* (expires in|expired)/, "certificate_expiry"],
  [
    /^DNS lookup failed|does not exist \(NXDOMAIN|answered [A-Z]+ for |refused the query for |has no [A-Z]+ records|^answers |^\d+ [A-Z]+ answer\(s\), expected|sent a malformed answer|resolver /,
    "dns",
  ],
  [/certificate|self-signed|TLS|negotiated TLS/, "tls"],
  [
    /^connection |unreachable|did not answer with (valid HTTP|HTTP\/2)|closed the connection|^asking .* failed/,
    "connection",
  ],
  [/^status \d+, expected/, "http_status"],
  [/^[A-Z][A-Z_]+: |^(the server|service ".*") is [A-Z_]+/, "grpc_status"],
  [/^redirect|^more than \d+ redirects/, "redirect"],
  [/^took \d+ms, expected/, "latency"],
  [/^body |^header |^message |^\$|answered ".*", expected to match|is not valid JSON/, "content"],
];

/** The cause of a down or unknown result; undefined for the others. */
export function failureCause(
  result: Pick<CheckResult, "status" | "kind" | "reason">,
): FailureCause | undefined {
  if (result.status === "unknown") return "indeterminate";
  if (result.status !== "down") return undefined;
  if (result.kind === "backup") return "backup";
  // A flow's reason names its failed step first: the cause is that step's.
  const reason = result.reason.replace(/^step "[^"]*": /, "");
  for (const [pattern, cause] of PATTERNS) if (pattern.test(reason)) return cause;
  return "other";
}
