/**
 * From results to delivered notifications: decided once, delivered at least once, duplicates with the
 * same dedup key. Each run:
 * 1. decides every check's transitions with the state machine and writes them, with the new state,
 *    into the check's outbox in one conditional write (a racing writer makes us re-read and decide
 *    again, so one transition is decided once);
 * 2. claims what it decided, plus any earlier entry whose delivery failed or whose claimant's run is
 *    over, until its own run is over;
 * 3. delivers them in waves, one entry per check per wave, so a check's FIRING is acknowledged
 *    before its RESOLVED is sent;
 * 4. removes what was delivered, releases what was not, and moves what was refused for good (or
 *    failed `maxDeliveryAttempts` runs) to the check's dead letters.
 * A failure of one check's state write is that check's error in the report; nothing here throws.
 */
import { randomUUID } from "node:crypto";
import type { CheckSpec, DependencyRef } from "../checks/load.js";
import { forEachLimit } from "../concurrency.js";
import { callSignal } from "../deadline.js";
import { describeError } from "../errors.js";
import type { CheckResult } from "../result.js";
import { activeWindow } from "./maintenance.js";
import { compose, type Notification } from "./message.js";
import type { Delivery, Notifier } from "./notifiers/notifier.js";
import {
  type AlertState,
  awaitingConfirmation,
  type DeadLetter,
  failureSeverity,
  type OutboxEntry,
  step,
  type Transition,
} from "./state-machine.js";
import type { StateStore } from "./stores/store.js";

export interface AlerterOptions {
  store: StateStore;
  notifier: Notifier;
  location: string;
  /** This process's identity on outbox claims. Default: a random id. */
  owner?: string;
  /** Without a run deadline: how long another invocation leaves a claimed entry alone. Default 5m. */
  claimMs?: number;
  /** This many transitions of one type and severity in one run become one summary. Default 5. */
  groupThreshold?: number;
  /** Runs in a row a delivery may fail before it becomes a dead letter. Default 10. */
  maxDeliveryAttempts?: number;
  /** Called for each transition given up on, for the logs. */
  onDeadLetter?: (letter: DeadLetter) => void;
}

export interface ProcessOptions {
  /** The run's time: transitions are stamped with it. Default now. */
  now?: Date;
  /** Epoch ms when the run is over: claims last until then (and a margin), calls are cut there. */
  deadline?: number;
  signal?: AbortSignal;
  /** Told each check's transitions once they are written (history keeps incidents from them). */
  onDecided?: (transitions: Transition[]) => void;
}

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

const MAX_WRITE_ATTEMPTS = 5;
/** State writes in flight at once: a slow store costs a run time, not one write after another. */
const STATE_WRITES_IN_FLIGHT = 16;
/** Dead letters kept per check. */
const DEAD_LETTERS_KEPT = 10;
/** A claim outlives its run by this much: a call cut at the deadline may still be answered. */
const CLAIM_MARGIN_MS = 30_000;
const TYPE_ORDER = { FIRING: 0, REMINDER: 1, RESOLVED: 2 } as const;

export class Alerter {
  private readonly owner: string;

  constructor(private readonly options: AlerterOptions) {
    this.owner = options.owner ?? randomUUID();
  }

  get notifierName(): string {
    return this.options.notifier.name;
  }

  /** The store's own preference (the state file: all at once), else a bound. */
  private get writesInFlight(): number {
    return this.options.store.writesInFlight ?? STATE_WRITES_IN_FLIGHT;
  }

  /** Where notifications go: for a test notification sent outside any run. */
  get notifier(): Notifier {
    return this.options.notifier;
  }

  async process(
    results: readonly CheckResult[],
    specs: readonly CheckSpec[],
    options: ProcessOptions = {},
  ): Promise<AlertReport> {
    const now = options.now ?? new Date();
    // Every call this run makes ends by the run's deadline, with a reason, before the run is cut.
    const signal =
      options.deadline !== undefined ? callSignal(options.deadline, options.signal) : options.signal;
    const store = { signal, onConflict: () => report.conflicts++ };
    const report = emptyReport(this.options.notifier.name);
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
      states = await this.options.store.getMany([...inRun.keys(), ...elsewhere], store);
    } catch (error) {
      report.errors.push(
        `alert state could not be read from ${this.options.store.name}: ${describeError(error)}`,
      );
      return report;
    }
    const claimedUntil =
      (options.deadline ?? now.getTime() + (this.options.claimMs ?? 300_000)) + CLAIM_MARGIN_MS;

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

    await forEachLimit(judged, this.writesInFlight, async (result) => {
      const spec = bySpec.get(result.name) as CheckSpec;
      const policy = spec.alert;
      const inMaintenance = activeWindow(policy.maintenance, now) !== undefined;
      const failingDependencies = spec.dependsOn.filter(failing).map((d) => d.check);
      const alsoFailing = spec.dependents.filter(failing).map((d) => d.check);
      let decided: Transition[] = [];
      let pending = false;
      const outcome = await this.update(result.name, states, store, (previous) => {
        const { state, transitions } = step(previous, result, policy, {
          now,
          // A quorum's verdict names the locations that saw it; a single location names itself.
          location: result.locations ? verdictLocations(result) : this.options.location,
          inMaintenance,
          failingDependencies,
        });
        decided = transitions;
        pending = awaitingConfirmation(state);
        for (const t of transitions)
          if (t.type === "FIRING" && alsoFailing.length > 0) t.alsoFailing = alsoFailing;
        const next = {
          ...state,
          outbox: [
            ...(previous?.outbox ?? []).map((entry) =>
              claimable(entry, now) ? this.claim(entry, claimedUntil) : entry,
            ),
            ...transitions.map((transition) => this.claim({ transition }, claimedUntil)),
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
      else if (pending && !inMaintenance) report.pending.push(result.name);
    });

    // Only the checks of this run: states read for their dependencies are read, never delivered from.
    const mine = [...states.values()]
      .filter((state) => inRun.has(state.check))
      .flatMap((state) => state.outbox.filter((entry) => entry.claimedBy === this.owner));
    if (mine.length === 0) return report;
    const fates = await this.deliver(mine, report, signal);

    await forEachLimit(
      [...new Set(mine.map((entry) => entry.transition.check))],
      this.writesInFlight,
      async (check) => {
        // Settling may run again on a conflicting write: letters count only from the one written.
        let letters: DeadLetter[] = [];
        const outcome = await this.update(check, states, store, (previous) => {
          if (!previous) return undefined;
          const settled = this.settle(previous, fates, now);
          letters = settled.letters;
          return settled.state;
        });
        if (outcome !== true) {
          report.errors.push(
            `${check}: could not record the delivery (${outcome}); it may be delivered again, with the same dedup key`,
          );
          return;
        }
        report.dead += letters.length;
        for (const letter of letters) this.options.onDeadLetter?.(letter);
      },
    );
    return report;
  }

  /**
   * Sends claimed entries in waves: the n-th pending entry of every check goes in wave n, and only
   * when the check's earlier entries were delivered. A REMINDER with a later entry of its incident
   * pending is superseded: it is dropped, not sent.
   */
  private async deliver(
    entries: OutboxEntry[],
    report: AlertReport,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, Delivery | "superseded">> {
    const fates = new Map<string, Delivery | "superseded">();
    const byCheck = new Map<string, Transition[]>();
    for (const { transition } of entries)
      byCheck.set(transition.check, [...(byCheck.get(transition.check) ?? []), transition]);
    const queues = [...byCheck.values()].map((transitions) => {
      const ordered = transitions.sort(
        (a, b) => a.at.localeCompare(b.at) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type],
      );
      return ordered.filter((t, i) => {
        const later = ordered.slice(i + 1).some((u) => u.since === t.since);
        if (t.type === "REMINDER" && later) {
          fates.set(t.dedupKey, "superseded");
          return false;
        }
        return true;
      });
    });
    for (let wave = 0; queues.some((queue) => queue.length > wave); wave++) {
      const ready = queues.flatMap((queue) => {
        const t = queue[wave];
        if (!t) return [];
        const before = queue.slice(0, wave).every((u) => (fates.get(u.dedupKey) as Delivery | undefined)?.ok);
        return before ? [t] : [];
      });
      if (ready.length === 0) break;
      const notifications = compose(ready, this.options.groupThreshold ?? 5);
      const deliveries = await this.send(notifications, signal);
      notifications.forEach((notification, index) => {
        const delivery = deliveries[index] ?? { ok: false, error: "no answer from the notifier" };
        for (const t of notification.transitions) fates.set(t.dedupKey, delivery);
        if (delivery.ok) {
          report.subjects.push(notification.subject);
          report.delivered += notification.transitions.length;
        } else {
          report.failed += notification.transitions.length;
          report.errors.push(`${notification.subject}: ${delivery.error}`);
        }
      });
    }
    return fates;
  }

  private async send(notifications: Notification[], signal: AbortSignal | undefined): Promise<Delivery[]> {
    try {
      return await this.options.notifier.send(notifications, { signal });
    } catch (error) {
      return notifications.map(() => ({
        ok: false as const,
        error: `${this.options.notifier.name} failed: ${describeError(error)}`,
      }));
    }
  }

  /** The check's state once this run's deliveries are accounted for. */
  private settle(
    state: AlertState,
    fates: Map<string, Delivery | "superseded">,
    now: Date,
  ): { state: AlertState; letters: DeadLetter[] } {
    const outbox: OutboxEntry[] = [];
    const letters: DeadLetter[] = [];
    for (const entry of state.outbox) {
      const fate = entry.claimedBy === this.owner ? fates.get(entry.transition.dedupKey) : undefined;
      if (fate === undefined) {
        // Claimed by us but not attempted (a wave stopped early): release it for the next run.
        outbox.push(entry.claimedBy === this.owner ? release(entry) : entry);
        continue;
      }
      if (fate === "superseded" || fate.ok) continue;
      const failedAttempts = (entry.failedAttempts ?? 0) + 1;
      if (fate.permanent || failedAttempts >= (this.options.maxDeliveryAttempts ?? 10)) {
        letters.push({
          transition: entry.transition,
          failedAttempts,
          error: fate.permanent ? `refused for good: ${fate.error}` : fate.error,
          at: now.toISOString(),
        });
        continue;
      }
      outbox.push({ transition: entry.transition, failedAttempts, lastError: fate.error });
    }
    return {
      state: {
        ...state,
        outbox,
        ...(letters.length > 0
          ? { dead: [...(state.dead ?? []), ...letters].slice(-DEAD_LETTERS_KEPT) }
          : {}),
      },
      letters,
    };
  }

  private claim(entry: OutboxEntry, until: number): OutboxEntry {
    return { ...entry, claimedBy: this.owner, claimedUntil: until };
  }

  /**
   * A conditional write of `change(current)`, re-reading and re-deciding when someone wrote first.
   * True when written (or nothing to write); otherwise why not.
   */
  private async update(
    check: string,
    states: Map<string, AlertState>,
    options: { signal: AbortSignal | undefined; onConflict: () => void },
    change: (previous: AlertState | undefined) => AlertState | undefined,
  ): Promise<true | string> {
    try {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const previous = states.get(check);
        const next = change(previous);
        if (!next) return true;
        const expected = previous?.version ?? 0;
        const written = { ...next, version: expected + 1 };
        if (await this.options.store.put(written, expected, options)) {
          states.set(check, written);
          return true;
        }
        options.onConflict();
        const fresh = (await this.options.store.getMany([check], options)).get(check);
        if (fresh) states.set(check, fresh);
        else states.delete(check);
      }
      return `state changed under us ${MAX_WRITE_ATTEMPTS} times; another invocation handles it`;
    } catch (error) {
      return `alert state could not be written to ${this.options.store.name}: ${describeError(error)}`;
    }
  }
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

function claimable(entry: OutboxEntry, now: Date): boolean {
  return entry.claimedUntil === undefined || entry.claimedUntil <= now.getTime();
}

function release(entry: OutboxEntry): OutboxEntry {
  const { claimedBy: _, claimedUntil: __, ...rest } = entry;
  return rest;
}

/** The locations whose own verdict is the quorum's (`eu-west-1, us-east-1`). */
function verdictLocations(result: CheckResult): string {
  const agreeing = (result.locations ?? []).filter((l) => l.status === result.status).map((l) => l.location);
  return agreeing.length > 0
    ? agreeing.join(", ")
    : (result.locations ?? []).map((l) => l.location).join(", ");
}
