/** An aborted call: the run's signal, its deadline, or a per-call timeout cut it. */
export function isAbort(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/**
 * An error of Watchpost's own whose message says all a reader needs (`${env:SLACK_URL} is not set`):
 * described without its class name, which would mean nothing to them.
 */
export class SaidError extends Error {}

/** An error in one line, with the AWS error code and HTTP status when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof SaidError) return error.message;
  if (isAbort(error)) return "no answer before the run's deadline";
  const err = error as Error & { $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const name = err?.name && err.name !== "Error" ? err.name : "";
  const head = `${name}${status ? `${name ? " " : ""}(HTTP ${status})` : ""}`;
  const message = err?.message ?? String(error);
  return head ? `${head}: ${message}` : message;
}
