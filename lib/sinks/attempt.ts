/**
 * What one request of a sink that POSTs (remote-write, OTLP) came to, said the same way by each: a
 * request that got no answer is retried and named by its host; a `Retry-After` is honoured.
 */
import { DeadlinePassed, isAbort } from "../errors.js";
import type { Attempt } from "../retry.js";

/** A request that threw: no answer in time, or the connection's own error. Always worth retrying. */
export function unanswered(error: unknown, timeoutMs: number, host: string): Attempt {
  const err = error as Error & { code?: string };
  const what =
    error instanceof DeadlinePassed
      ? "no answer before the run's deadline"
      : isAbort(error)
        ? `no answer within ${timeoutMs}ms`
        : `${err.code ?? err.name}: ${err.message}`;
  return { ok: false, retry: true, error: `${what} from ${host}` };
}

/** A `Retry-After` in seconds (the HTTP-date form is rare from receivers and treated as absent). */
export function retryAfter(header: string | string[] | undefined): { retryAfterMs?: number } {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {};
}
