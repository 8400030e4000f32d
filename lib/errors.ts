/** An aborted call: the run's signal, its deadline, or a per-call timeout cut it. */
export function isAbort(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/** An error in one line, with the AWS error code and HTTP status when there is one. */
export function describeError(error: unknown): string {
  if (isAbort(error)) return "no answer before the run's deadline";
  const err = error as Error & { $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const name = err?.name && err.name !== "Error" ? err.name : "";
  const head = `${name}${status ? `${name ? " " : ""}(HTTP ${status})` : ""}`;
  const message = err?.message ?? String(error);
  return head ? `${head}: ${message}` : message;
}
