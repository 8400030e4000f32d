/**
 * Service-level objectives as an input of the decide stage. Their history is read once, at the start
 * of decide (what earlier runs recorded); this run's decided results are added to it in memory, and
 * each objective's error budget becomes its companion's result (`NAME/slo`), decided like a check's.
 * Nothing reads back what this run's history stage writes: data flows down.
 */
import type { CheckSpec, SloGroup } from "../checks/load.js";
import { historyEntries } from "../history/entries.js";
import { addResult, dayOf, type History } from "../history/model.js";
import { BURN_WINDOWS } from "../history/slo.js";
import { groupSloResult, groupSloSpec, sloResult, sloSpec } from "../history/slo-alerts.js";
import type { HistoryStore } from "../history/store.js";
import type { CheckResult } from "../result.js";

export interface Objectives {
  history: HistoryStore;
  /** The checks decided with an objective of their own. */
  checks: readonly CheckSpec[];
  /** Objectives over groups of checks, evaluated by one shard's runs. */
  groups: readonly SloGroup[];
  /** The shard whose days to read, when no group needs every shard's. */
  shard: string | undefined;
  /** Gives a group's companion the fields a check has. */
  template: CheckSpec;
}

/** The history the objectives need, up to now: the longest window's days. */
export function readObjectives(objectives: Objectives, now: number, signal: AbortSignal): Promise<History> {
  const longest = Math.max(
    ...objectives.checks.map((spec) => spec.slo?.windowMs ?? 0),
    ...objectives.groups.map((group) => group.slo.windowMs),
    BURN_WINDOWS["3d"],
  );
  return objectives.history.read(
    {
      fromDay: dayOf(now - longest),
      toDay: dayOf(now),
      // A group's members may be in any shard: then every shard's days are read.
      ...(objectives.shard && objectives.groups.length === 0 ? { shards: [objectives.shard] } : {}),
    },
    signal,
  );
}

/**
 * The companions to decide: each objective's spec and its result from `history` with this run's
 * decided results added.
 */
export function objectiveResults(
  objectives: Objectives,
  history: History,
  decided: { results: readonly CheckResult[]; checks: readonly CheckSpec[] },
  now: number,
): { specs: CheckSpec[]; results: CheckResult[] } {
  const entries = historyEntries(decided.results, decided.checks, objectives.groups);
  // The days as read may be a store's cached objects: the ones this run adds to are copied first.
  for (const day of new Set(entries.map((entry) => dayOf(Date.parse(entry.startedAt)))))
    history.days[day] = structuredClone(history.days[day] ?? {});
  for (const entry of entries) addResult(history, entry, entry.intervalMs, entry.slowMs);
  return {
    specs: [
      ...objectives.checks.map(sloSpec),
      ...objectives.groups.map((group) => groupSloSpec(group, objectives.template)),
    ],
    results: [
      ...objectives.checks.flatMap((spec) => sloResult(spec, history, now) ?? []),
      ...objectives.groups.map((group) => groupSloResult(group, history, now)),
    ],
  };
}
