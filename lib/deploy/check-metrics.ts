/**
 * Whether a deployment publishes per-check CloudWatch metrics: decided here for the construct, the
 * shipped app, `watchpost plan` and `watchpost cost`. Each is a custom metric billed every month
 * ($0.30 for the first 10,000), 2 to 4 per check: by far the largest line of the bill (docs/cost.md).
 * By default they are on where CloudWatch is where results are read (no remote-write) and off where
 * results go to Prometheus, which would make them a second copy nobody reads. `checkMetrics` says
 * otherwise either way.
 */
export function checkMetricsOn(explicit: boolean | undefined, remoteWrite: boolean): boolean {
  return explicit ?? !remoteWrite;
}

/** Why they are on or off, for `plan` and `cost`. */
export function checkMetricsReason(explicit: boolean | undefined, remoteWrite: boolean): string {
  if (explicit !== undefined) return explicit ? "on, as asked" : "off, as asked";
  return remoteWrite
    ? "off by default, since results go to Prometheus (checkMetrics: true turns them on)"
    : "on by default, since CloudWatch is where results are read without remote-write (checkMetrics: false turns them off)";
}
