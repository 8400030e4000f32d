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

/** Waits `ms`; resolves true then, or false as soon as `signal` aborts (at once if it already has). */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stopped);
      resolve(value);
    };
    const stopped = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener("abort", stopped, { once: true });
  });
}
