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
import { countedAfter, recount } from "../runtime/quorum.js";
import { isOpen, resolveRemoved } from "./closing.js";
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
  /**
   * Every name alerting keeps state under in the configuration (lib/alerting/closing.ts): an open
   * check not among them gets its incident resolved. Without it, nothing is closed for leaving.
   */
  configured?: ReadonlySet<string>;
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
  const [read, openRead] = await Promise.all([
    context.store.getMany([...inRun.keys(), ...elsewhere], write).then(
      (states) => ({ states }),
      (error: unknown) => ({ error }),
    ),
    openChecks(context, write),
  ]);
  if ("error" in read) {
    report.errors.push(
      `alert state could not be read from ${context.store.name}: ${describeError(read.error)}`,
    );
    return { report, states: new Map(), handed: [], firing: [], now };
  }
  const states: Map<string, AlertState> = read.states;
  if (typeof openRead === "string") report.errors.push(openRead);
  const open = typeof openRead === "string" ? [] : openRead;
  const openNow = new Set(open);
  // What the run owes checks it did not judge: a skipped check's notifications; a check that left
  // the configuration, its incident's RESOLVED and its notifications.
  const configured = options.configured;
  const removed = new Set(configured ? open.filter((name) => !configured.has(name)) : []);
  const skipped = results.filter((r) => r.status === "skipped" && bySpec.has(r.name)).map((r) => r.name);
  const owed = new Set([...skipped.filter((name) => openNow.has(name)), ...removed]);
  const unread = [...owed].filter((name) => !states.has(name) && !elsewhere.has(name));
  if (unread.length > 0) {
    try {
      for (const [name, state] of await context.store.getMany(unread, write)) states.set(name, state);
    } catch (error) {
      report.errors.push(`alert state could not be read from ${context.store.name}: ${describeError(error)}`);
      owed.clear();
      removed.clear();
    }
  }
  // Named open before a state that may open is written, so a run killed in between loses nothing.
  const opening = judged
    .filter((r) => !openNow.has(r.name))
    .filter((r) => failureSeverity(r, (bySpec.get(r.name) as CheckSpec).alert) !== undefined)
    .map((r) => r.name);
  await trackOpen(context, report, opening, [], write);
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

  /** The outbox with what this run delivers claimed: earlier entries nobody delivers, and `transitions`. */
  const claimOutbox = (outbox: readonly OutboxEntry[], transitions: readonly Transition[]): OutboxEntry[] => [
    ...outbox.map((entry) =>
      claimable(entry, now) && !handedEarlier.has(entry.transition.dedupKey)
        ? claim(entry, context.owner, claimedUntil)
        : entry,
    ),
    ...transitions.map((transition) => claim({ transition }, context.owner, claimedUntil)),
  ];

  await forEachLimit(judged, context.writesInFlight, async (result) => {
    const spec = bySpec.get(result.name) as CheckSpec;
    const policy = spec.alert;
    const inMaintenance = activeWindow(policy.maintenance, now) !== undefined;
    const failingDependencies = spec.dependsOn.filter(failing).map((d) => d.check);
    const alsoFailing = spec.dependents.filter(failing).map((d) => d.check);
    let decided: Transition[] = [];
    let pending = false;
    const outcome = await writeState(context.store, result.name, states, write, (previous) => {
      // A location's report counts in one decision only: what an earlier one counted is left out.
      const round = recount(spec, result, previous?.counted);
      if (round.status === "skipped") {
        decided = [];
        pending = false;
        const outbox = claimOutbox(previous?.outbox ?? [], []);
        return previous && outbox.some((entry, i) => entry !== previous.outbox[i])
          ? { ...previous, outbox }
          : undefined;
      }
      const { state, transitions } = step(previous, round, policy, {
        now,
        // A quorum's verdict names the locations that saw it; a single location names itself.
        location: round.locations ? verdictLocations(round) : context.location,
        inMaintenance,
        failingDependencies,
      });
      for (const t of transitions) t.intervalMs = spec.intervalMs;
      decided = transitions;
      pending = awaitingConfirmation(state);
      for (const t of transitions)
        if (t.type === "FIRING" && alsoFailing.length > 0) t.alsoFailing = alsoFailing;
      const counted = countedAfter(round, previous?.counted);
      const next = {
        ...state,
        ...(counted ? { counted } : {}),
        outbox: claimOutbox(previous?.outbox ?? [], transitions),
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

  await forEachLimit([...owed], context.writesInFlight, async (check) => {
    let decided: Transition[] = [];
    const outcome = await writeState(context.store, check, states, write, (previous) => {
      if (!previous) return undefined;
      const closed = removed.has(check)
        ? resolveRemoved(previous, now, context.location)
        : { state: previous, transitions: [] };
      decided = closed.transitions;
      const outbox = claimOutbox(previous.outbox, closed.transitions);
      const claimedNow = outbox.some((entry, i) => entry !== previous.outbox[i]);
      return closed.transitions.length > 0 || claimedNow ? { ...closed.state, outbox } : undefined;
    });
    if (outcome !== true) {
      report.errors.push(`${check}: ${outcome}`);
      return;
    }
    report.decided += decided.length;
    if (decided.length > 0) options.onDecided?.(decided);
  });

  // Only the checks of this run and those it owes: states read for dependencies are never delivered from.
  const handed = [...states.values()]
    .filter((state) => inRun.has(state.check) || owed.has(state.check))
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
  // Open no more: read closed, and not failing now (a failing check may open in a later run).
  const closed = open.filter((name) => {
    if (!inRun.has(name) && !removed.has(name)) return false;
    const result = inRun.get(name);
    const failingNow = result && failureSeverity(result, (bySpec.get(name) as CheckSpec).alert) !== undefined;
    return !failingNow && !isOpen(states.get(name));
  });
  await trackOpen(context, report, [], closed, write);
  return { report, states, handed, firing, now };
}

/** The store's open checks, or why they could not be read. */
async function openChecks(
  context: DecideContext,
  options: { signal: AbortSignal | undefined },
): Promise<string[] | string> {
  try {
    return (await context.store.openChecks?.(options)) ?? [];
  } catch (error) {
    return `open checks could not be read from ${context.store.name}: ${describeError(error)}`;
  }
}

async function trackOpen(
  context: DecideContext,
  report: AlertReport,
  opened: readonly string[],
  closed: readonly string[],
  options: { signal: AbortSignal | undefined },
): Promise<void> {
  try {
    await context.store.trackOpen?.(opened, closed, options);
  } catch (error) {
    report.errors.push(`open checks could not be written to ${context.store.name}: ${describeError(error)}`);
  }
}

/**
 * Whether `next` says nothing `previous` did not: only the run's time, the success count and the
 * reports counted moved (none decides anything: a state with no failures is not failing however
 * old, recovery counts the `recent` window, and a healthy round counted twice changes nothing). Then the stored state stays as it is.
 */
function steady(previous: AlertState, next: AlertState): boolean {
  if (next.failures > 0 || next.incident || next.outbox.length > 0) return false;
  const comparable = (state: AlertState) =>
    JSON.stringify({ ...state, lastRunAt: "", successes: 0, version: 0, counted: undefined });
  return comparable(previous) === comparable(next);
}

/** The locations whose own verdict is the quorum's (`eu-west-1, us-east-1`). */
function verdictLocations(result: CheckResult): string {
  const agreeing = (result.locations ?? []).filter((l) => l.status === result.status).map((l) => l.location);
  return agreeing.length > 0
    ? agreeing.join(", ")
    : (result.locations ?? []).map((l) => l.location).join(", ");
}
