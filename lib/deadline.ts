/** One call's abort signal: whichever comes first of the run's signal, its deadline, or a per-call cap. */
export function callSignal(
  deadline: number,
  parent?: AbortSignal,
  capMs = Number.POSITIVE_INFINITY,
): AbortSignal {
  const ms = Math.max(0, Math.min(capMs, deadline - Date.now(), 2_147_483_647));
  const timeout = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([parent, timeout]) : timeout;
}
