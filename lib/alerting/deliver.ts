/**
 * Alerting's second half, delivering what a decision handed on: at least once, duplicates with the
 * same dedup key. The entries go out in waves, one per check per wave, so a check's FIRING is
 * acknowledged before its RESOLVED is sent; then, per check in one conditional write, what was
 * delivered leaves the outbox, what was not is released for the next run, and what was refused for
 * good (or failed `maxDeliveryAttempts` runs) moves to the check's dead letters.
 * Nothing here throws: every failure is a line in the report.
 */
import { forEachLimit } from "../concurrency.js";
import { callSignal } from "../deadline.js";
import { describeError } from "../errors.js";
import type { Decision } from "./decide.js";
import { compose, type Notification } from "./message.js";
import type { Delivery, Notifier } from "./notifiers/notifier.js";
import { release } from "./outbox.js";
import { type AlertReport, emptyReport } from "./report.js";
import type { AlertState, DeadLetter, OutboxEntry, Transition } from "./state-machine.js";
import { writeState } from "./state-write.js";
import type { StateStore } from "./stores/store.js";

export interface DeliverContext {
  store: StateStore;
  notifier: Notifier;
  /** Whose claims this run's are. */
  owner: string;
  /** This many transitions of one type and severity in one run become one summary. Default 5. */
  groupThreshold?: number;
  /** Runs in a row a delivery may fail before it becomes a dead letter. Default 10. */
  maxDeliveryAttempts?: number;
  onDeadLetter?: (letter: DeadLetter) => void;
  writesInFlight: number;
}

export interface DeliverOptions {
  /** Epoch ms when the run is over: calls are cut there. */
  deadline?: number;
  signal?: AbortSignal;
}

type Fate = Delivery | "superseded";

/** Dead letters kept per check. */
const DEAD_LETTERS_KEPT = 10;
const TYPE_ORDER = { FIRING: 0, REMINDER: 1, RESOLVED: 2 } as const;

export async function deliver(
  context: DeliverContext,
  decision: Pick<Decision, "states" | "handed" | "now"> & Partial<Pick<Decision, "firing">>,
  options: DeliverOptions = {},
): Promise<AlertReport> {
  const report = emptyReport(context.notifier.name);
  const firing = context.notifier.refresh ? (decision.firing ?? []) : [];
  if (decision.handed.length === 0 && firing.length === 0) return report;
  const signal =
    options.deadline !== undefined ? callSignal(options.deadline, options.signal) : options.signal;
  const [fates] = await Promise.all([
    sendInWaves(context, decision.handed, report, signal),
    refresh(context.notifier, firing, report, signal),
  ]);
  const handed = new Set(decision.handed.map((entry) => entry.transition.dedupKey));
  const write = { signal, onConflict: () => report.conflicts++ };
  await forEachLimit(
    [...new Set(decision.handed.map((entry) => entry.transition.check))],
    context.writesInFlight,
    async (check) => {
      // Settling may run again on a conflicting write: letters count only from the one written.
      let letters: DeadLetter[] = [];
      const outcome = await writeState(context.store, check, decision.states, write, (previous) => {
        if (!previous) return undefined;
        const settled = settle(context, previous, handed, fates, decision.now);
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
      for (const letter of letters) context.onDeadLetter?.(letter);
    },
  );
  return report;
}

/**
 * Sends the entries in waves: the n-th pending entry of every check goes in wave n, and only when
 * the check's earlier entries were delivered. A REMINDER with a later entry of its incident pending
 * is superseded: it is dropped, not sent.
 */
async function sendInWaves(
  context: DeliverContext,
  entries: readonly OutboxEntry[],
  report: AlertReport,
  signal: AbortSignal | undefined,
): Promise<Map<string, Fate>> {
  const fates = new Map<string, Fate>();
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
    const notifications = compose(ready, context.groupThreshold ?? 5);
    const deliveries = await send(context.notifier, notifications, signal);
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

/** Open incidents told again to the channels that keep alerts alive; failures are report lines. */
async function refresh(
  notifier: Notifier,
  firing: readonly Transition[],
  report: AlertReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!notifier.refresh || firing.length === 0) return;
  try {
    report.errors.push(...(await notifier.refresh(firing, { signal })));
  } catch (error) {
    report.errors.push(`${notifier.name}: still-firing alerts not re-posted: ${describeError(error)}`);
  }
}

async function send(
  notifier: Notifier,
  notifications: Notification[],
  signal: AbortSignal | undefined,
): Promise<Delivery[]> {
  try {
    return await notifier.send(notifications, { signal });
  } catch (error) {
    return notifications.map(() => ({
      ok: false as const,
      error: `${notifier.name} failed: ${describeError(error)}`,
    }));
  }
}

/**
 * The check's state once this delivery is accounted for. Only the entries it was handed are its to
 * settle: another decision of the same run may have claimed others meanwhile.
 */
function settle(
  context: DeliverContext,
  state: AlertState,
  handed: ReadonlySet<string>,
  fates: Map<string, Fate>,
  now: Date,
): { state: AlertState; letters: DeadLetter[] } {
  const outbox: OutboxEntry[] = [];
  const letters: DeadLetter[] = [];
  for (const entry of state.outbox) {
    const ours = entry.claimedBy === context.owner && handed.has(entry.transition.dedupKey);
    const fate = ours ? fates.get(entry.transition.dedupKey) : undefined;
    if (fate === undefined) {
      // Handed to us but not attempted (a wave stopped early): release it for the next run.
      outbox.push(ours ? release(entry) : entry);
      continue;
    }
    if (fate === "superseded" || fate.ok) continue;
    const failedAttempts = (entry.failedAttempts ?? 0) + 1;
    if (fate.permanent || failedAttempts >= (context.maxDeliveryAttempts ?? 10)) {
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
      ...(letters.length > 0 ? { dead: [...(state.dead ?? []), ...letters].slice(-DEAD_LETTERS_KEPT) } : {}),
    },
    letters,
  };
}
