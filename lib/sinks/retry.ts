/** Capped exponential backoff with full jitter, never past a deadline. */

export interface BackoffOptions {
  /** First delay's ceiling. Default 100ms. */
  minMs?: number;
  /** Largest delay. Default 5s (Prometheus' own max_backoff). */
  maxMs?: number;
  /** For tests: a source of randomness in [0, 1). */
  random?: () => number;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const min = options.minMs ?? 100;
  const max = options.maxMs ?? 5_000;
  const ceiling = Math.min(max, min * 2 ** attempt);
  return Math.max(1, Math.round((options.random ?? Math.random)() * ceiling));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
