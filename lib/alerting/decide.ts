/**
 * Alerting's first half, deciding: each check's transitions from its result with the state machine,
 * written with the new state and the check's outbox in one conditional write (a racing writer makes
 * us re-read and decide again, so one transition is decided once). The same write claims what this
 * run will deliver: what it decided, and earlier entries nobody is delivering.
 * A failure of one check's state write is that check's error in the report; nothing here throws.
 */
import type { CheckSpec, DependencyRef } from "../checks/load.js";
import { forEachLimit } from "../concurrency.js";
import { callSignal } from "../deadline.js";
import { describeError } from "../errors.js";
import type { CheckResult } from "../result.js";
import { awaitingConfirmation } from "./confirmation.js";
import { stillFiring } from "./firing.js";
import { activeWindow } from "./maintenance.js";
import type { Notifier } from "./notifiers/notifier.js";
import { claim, claimable, claimUntil } from "./outbox.js";
import { type AlertReport, emptyReport } from "./report.js";
import {
  type AlertState,
  failureSeverity,
  type OutboxEntry,
  step,
  type Transition,
} from "./state-machine.js";
import { writeState } from "./state-write.js";
import type { StateStore } from "./stores/store.js";

export interface DecideContext {
  store: StateStore;
  notifier: Pick<Notifier, "name">;
  location: string;
  /** Whose claims this run's are. */
  owner: string;
  claimMs?: number;
  writesInFlight: number;
}

export interface DecideOptions {
  /** The run's time: transitions are stamped with it. Default now. */
  now?: Date;
  /** Epoch ms when the run is over: claims last until then (and a margin), calls are cut there. */
  deadline?: number;
  signal?: AbortSignal;
  /** Told each check's transitions once they are written (history keeps incidents from them). */
  onDecided?: (transitions: Transition[]) => void;
  /**
   * Outbox entries (by dedup key) an earlier decision of this run handed to delivery: a confirmation
   * round never hands them again while the first delivery may still be under way.
   */
  handedEarlier?: ReadonlySet<string>;
}

/** What was decided and written, and what delivery is to send. */
export interface Decision {
  /** Decided, conflicts, errors, and the checks pending a confirmation or held by a dependency. */
  report: AlertReport;
  /** Each check's state as written: delivery settles its entries on it, conditionally. */
  states: Map<string, AlertState>;
  /** The entries this decision hands to delivery, claimed by this run. */
  handed: OutboxEntry[];
  /**
   * Incidents still open that this decision hands nothing for, as their FIRING: a channel that keeps
   * alerts alive (Alertmanager) is told again, so they do not expire while the check still fails.
   */
  firing: Transition[];
  now: Date;
}

export async function decide(
  context: DecideContext,
  results: readonly CheckResult[],
  specs: readonly CheckSpec[],
  options: DecideOptions = {},
): Promise<Decision> {
  const now = options.now ?? new Date();
  // Every call this run makes ends by the run's deadline, with a reason, before the run is cut.
  const signal =
    options.deadline !== undefined ? callSignal(options.deadline, options.signal) : options.signal;
  const report = emptyReport(context.notifier.name);
  const write = { signal, onConflict: () => report.conflicts++ };
  const bySpec = new Map(specs.map((spec) => [spec.name, spec]));
  // A skipped check was not looked at: it neither fails nor recovers.
  const judged = results.filter((r) => r.status !== "skipped" && bySpec.has(r.name));
  const inRun = new Map(judged.map((r) => [r.name, r]));
  // Dependencies and dependents probed elsewhere (another shard, another interval) are judged by
  // their stored state.
  const elsewhere = new Set(
    judged.flatMap((r) => {
      const spec = bySpec.get(r.name) as CheckSpec;
      return [...spec.dependsOn, ...spec.dependents].map((d) => d.check).filter((name) => !inRun.has(name));
    }),
  );
  let states: Map<string, AlertState>;
  try {
    states = await context.store.getMany([...inRun.keys(), ...elsewhere], write);
  } catch (error) {
    report.errors.push(`alert state could not be read from ${context.store.name}: ${describeError(error)}`);
    return { report, states: new Map(), handed: [], firing: [], now };
  }
  const claimedUntil = claimUntil(options.deadline, now, context.claimMs);
  const handedEarlier = options.handedEarlier ?? new Set<string>();

  const failing = (dependency: DependencyRef): boolean => {
    const result = inRun.get(dependency.check);
    if (result) return failureSeverity(result, (bySpec.get(result.name) as CheckSpec).alert) !== undefined;
    const state = states.get(dependency.check);
    // A state older than two of its runs (and a minute) says nothing about now.
    const fresh =
      state !== undefined &&
      now.getTime() - Date.parse(state.lastRunAt) <= 2 * dependency.intervalMs + 60_000;
    return fresh && (state as AlertState).failures > 0;
  };

  await forEachLimit(judged, context.writesInFlight, async (result) => {
    const spec = bySpec.get(result.name) as CheckSpec;
    const policy = spec.alert;
    const inMaintenance = activeWindow(policy.maintenance, now) !== undefined;
    const failingDependencies = spec.dependsOn.filter(failing).map((d) => d.check);
    const alsoFailing = spec.dependents.filter(failing).map((d) => d.check);
    let decided: Transition[] = [];
    let pending = false;
    const outcome = await writeState(context.store, result.name, states, write, (previous) => {
      const { state, transitions } = step(previous, result, policy, {
        now,
        // A quorum's verdict names the locations that saw it; a single location names itself.
        location: result.locations ? verdictLocations(result) : context.location,
        inMaintenance,
        failingDependencies,
      });
      for (const t of transitions) t.intervalMs = spec.intervalMs;
      decided = transitions;
      pending = awaitingConfirmation(state);
      for (const t of transitions)
        if (t.type === "FIRING" && alsoFailing.length > 0) t.alsoFailing = alsoFailing;
      const next = {
        ...state,
        outbox: [
          ...(previous?.outbox ?? []).map((entry) =>
            claimable(entry, now) && !handedEarlier.has(entry.transition.dedupKey)
              ? claim(entry, context.owner, claimedUntil)
              : entry,
          ),
          ...transitions.map((transition) => claim({ transition }, context.owner, claimedUntil)),
        ],
      };
      // A steady check (healthy, nothing to send, nothing else changed) costs no write.
      return previous && steady(previous, next) ? undefined : next;
    });
    if (outcome !== true) {
      report.errors.push(`${result.name}: ${outcome}`);
      return;
    }
    report.decided += decided.length;
    if (decided.length > 0) options.onDecided?.(decided);
    const failingNow = failureSeverity(result, policy) !== undefined;
    if (failingNow && failingDependencies.length > 0)
      report.held.push({ check: result.name, dependencies: failingDependencies });
    // A maintenance window decides nothing however often it is asked: no re-probe then.
    else if (pending && !inMaintenance) report.pending.push(result.name);
  });

  // Only the checks of this run: states read for their dependencies are read, never delivered from.
  const handed = [...states.values()]
    .filter((state) => inRun.has(state.check))
    .flatMap((state) =>
      state.outbox.filter(
        (entry) => entry.claimedBy === context.owner && !handedEarlier.has(entry.transition.dedupKey),
      ),
    );
  const handing = new Set(handed.map((entry) => entry.transition.check));
  const firing = judged.flatMap((result) => {
    const state = states.get(result.name);
    if (!state?.incident || handing.has(result.name)) return [];
    return [
      stillFiring(result, state, state.incident, bySpec.get(result.name) as CheckSpec, context.location, now),
    ];
  });
  return { report, states, handed, firing, now };
}

/**
 * Whether `next` says nothing `previous` did not: only the run's time and the success count moved
 * (neither decides anything: a state with no failures is not failing however old, and recovery
 * counts the `recent` window). Then the stored state stays as it is.
 */
function steady(previous: AlertState, next: AlertState): boolean {
  if (next.failures > 0 || next.incident || next.outbox.length > 0) return false;
  const comparable = (state: AlertState) =>
    JSON.stringify({ ...state, lastRunAt: "", successes: 0, version: 0 });
  return comparable(previous) === comparable(next);
}

/** The locations whose own verdict is the quorum's (`eu-west-1, us-east-1`). */
function verdictLocations(result: CheckResult): string {
  const agreeing = (result.locations ?? []).filter((l) => l.status === result.status).map((l) => l.location);
  return agreeing.length > 0
    ? agreeing.join(", ")
    : (result.locations ?? []).map((l) => l.location).join(", ");
}
