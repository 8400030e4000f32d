/** A signal that aborts after `ms`, or when `parent` does, whichever comes first. */
export function withTimeout(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(0, Math.min(ms, 2_147_483_647)));
  return parent ? AbortSignal.any([parent, timeout]) : timeout;
}

/** One call's abort signal: whichever comes first of the run's signal, its deadline, or a per-call cap. */
export function callSignal(
  deadline: number,
  parent?: AbortSignal,
  capMs = Number.POSITIVE_INFINITY,
): AbortSignal {
  return withTimeout(Math.min(capMs, deadline - Date.now()), parent);
}
