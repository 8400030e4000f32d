/**
 * What the run's budget aborts every call still in flight with, a little before its deadline: one
 * class, so a call cut by it reads the same whichever came first, the deadline or its own timeout.
 */
export class DeadlinePassed extends Error {
  constructor() {
    super("the run's deadline passed");
    this.name = "DeadlinePassed";
  }
}

/** An aborted call: the run's signal, its deadline, or a per-call timeout cut it. */
export function isAbort(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === "AbortError" || name === "TimeoutError" || error instanceof DeadlinePassed;
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
