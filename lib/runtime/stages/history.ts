/**
 * The history stage: what each decision decided on, and the transitions it wrote, into history (the
 * status page and SLOs read it). A confirmation round is the same interval's run again: its incidents
 * count, its results not twice. The objectives' companions are not runs of anything: not recorded.
 */
import type { SloGroup } from "../../checks/load.js";
import { historyEntries } from "../../history/entries.js";
import type { HistoryStore } from "../../history/store.js";
import { failure, TIMED_OUT, within } from "../budget.js";
import type { Feed } from "../feed.js";
import type { StageReport } from "../summary.js";
import { consume, type Decided, type StageTrace } from "./stage.js";

export async function historyStage(
  history: HistoryStore,
  decisions: Feed<Decided>,
  context: { shard: string | undefined; groups: readonly SloGroup[]; signal: AbortSignal },
  trace: StageTrace,
): Promise<StageReport | undefined> {
  let recorded = false;
  let durationMs = 0;
  let error: string | undefined;
  await consume(decisions, "history", trace, async (decided) => {
    if (decided.kind === "objectives") return;
    const started = performance.now();
    const entries =
      decided.kind === "run" ? historyEntries(decided.results, decided.checks, context.groups) : [];
    const batch = {
      shard: context.shard ?? "local",
      entries,
      transitions: [...decided.transitions],
      now: Date.now(),
    };
    const outcome = await within(history.record(batch, context.signal), decided.bounds.deadline);
    recorded = true;
    durationMs += performance.now() - started;
    if (outcome === TIMED_OUT || "error" in outcome) error ??= `${history.name}: ${failure(outcome)}`;
  });
  if (!recorded) return undefined;
  return { stage: "history", ok: error === undefined, durationMs, ...(error ? { error } : {}) };
}
