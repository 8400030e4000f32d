/** What alerting did in a run, as the run's summary shows it: decided, delivered, failed, given up on. */

export interface AlertReport {
  notifier: string;
  /** Transitions decided in this run (held ones in maintenance are not decided yet). */
  decided: number;
  /** Transitions delivered in this run, new and earlier ones. */
  delivered: number;
  /** Transitions whose delivery failed; they stay in the outbox for the next run. */
  failed: number;
  /** Transitions given up on in this run (see the check's dead letters). */
  dead: number;
  /** Conditional writes that found another invocation had written first (each re-read and re-decided). */
  conflicts: number;
  errors: string[];
  /** Subjects of what was delivered. */
  subjects: string[];
  /** Checks that failed this run and decided nothing yet: a confirmation re-probe would decide them. */
  pending: string[];
  /** Checks failing while a dependency fails too: their alerts are held (the dependency's lists them). */
  held: { check: string; dependencies: string[] }[];
}

/** A report of a run that decided and delivered nothing. */
export function emptyReport(notifier: string, errors: string[] = []): AlertReport {
  return {
    notifier,
    decided: 0,
    delivered: 0,
    failed: 0,
    dead: 0,
    conflicts: 0,
    errors,
    subjects: [],
    pending: [],
    held: [],
  };
}

/** Parts of a run's alerting (its decisions, their deliveries) as one report: counts added up, lists in order. */
export function mergeAlertReports(reports: readonly AlertReport[]): AlertReport {
  const sum = (key: "decided" | "delivered" | "failed" | "dead" | "conflicts") =>
    reports.reduce((n, r) => n + r[key], 0);
  return {
    notifier: reports.at(-1)?.notifier ?? "",
    decided: sum("decided"),
    delivered: sum("delivered"),
    failed: sum("failed"),
    dead: sum("dead"),
    conflicts: sum("conflicts"),
    errors: reports.flatMap((r) => r.errors),
    subjects: reports.flatMap((r) => r.subjects),
    pending: [...new Set(reports.flatMap((r) => r.pending))],
    held: reports.flatMap((r) => r.held),
  };
}
