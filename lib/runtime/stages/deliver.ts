/**
 * The deliver stage: each decision's outbox entries to the notifier, in the order decided, as soon as
 * each decision is written (a confirmation round's FIRING does not wait for the other rounds). Bounded
 * by the decision's batch budget; a failure is a line in the report, never thrown.
 */
import type { Alerter } from "../../alerting/alerter.js";
import { type AlertReport, emptyReport, mergeAlertReports } from "../../alerting/report.js";
import { stageCut, TIMED_OUT, within } from "../budget.js";
import type { Feed } from "../feed.js";
import { consume, type Decided, type StageTrace } from "./stage.js";

export async function deliverStage(
  alerter: Alerter,
  decisions: Feed<Decided>,
  signal: AbortSignal,
  trace: StageTrace,
): Promise<{ report: AlertReport; durationMs: number }> {
  const reports = [emptyReport(alerter.notifierName)];
  let durationMs = 0;
  await consume(decisions, "deliver", trace, async ({ decision, bounds }) => {
    if (!decision || (decision.handed.length === 0 && decision.firing.length === 0)) return;
    const started = performance.now();
    const outcome = await within(
      alerter.deliver(decision, { deadline: bounds.told, signal }),
      bounds.deadline,
    );
    const ms = performance.now() - started;
    durationMs += ms;
    reports.push(
      outcome !== TIMED_OUT && "value" in outcome
        ? outcome.value
        : emptyReport(alerter.notifierName, [stageCut(outcome, ms)]),
    );
  });
  return { report: mergeAlertReports(reports), durationMs };
}
