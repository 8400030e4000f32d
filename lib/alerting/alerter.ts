/**
 * From results to delivered notifications, at least once and never twice. Each run:
 * 1. decides every check's transitions with the state machine and writes them, with the new state,
 *    into the check's outbox in one conditional write (a racing writer makes us re-read and decide
 *    again, so one transition is decided once);
 * 2. delivers what it claimed, plus any earlier entry whose delivery failed or whose claimant died;
 * 3. removes what was delivered, and releases what was not, for the next run to retry.
 */
import { randomUUID } from "node:crypto";
import type { CheckSpec } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import { activeWindow } from "./maintenance.js";
import { compose } from "./message.js";
import type { Notifier } from "./notifiers/notifier.js";
import { type AlertState, type OutboxEntry, step } from "./state-machine.js";
import type { StateStore } from "./stores/store.js";

export interface AlerterOptions {
  store: StateStore;
  notifier: Notifier;
  location: string;
  /** This process's identity on outbox claims. Default: a random id. */
  owner?: string;
  /** How long another invocation leaves a claimed notification alone. Default 5 minutes. */
  claimMs?: number;
  /** This many transitions of one type and severity in one run become one summary. Default 5. */
  groupThreshold?: number;
}

export interface AlertReport {
  notifier: string;
  /** Transitions decided in this run (held ones in maintenance are not decided yet). */
  decided: number;
  /** Transitions delivered in this run, new and earlier ones. */
  delivered: number;
  /** Transitions whose delivery failed; they stay in the outbox for the next run. */
  failed: number;
  errors: string[];
  /** Subjects of what was delivered. */
  subjects: string[];
}

const MAX_WRITE_ATTEMPTS = 5;

export class Alerter {
  private readonly owner: string;

  constructor(private readonly options: AlerterOptions) {
    this.owner = options.owner ?? randomUUID();
  }

  async process(
    results: readonly CheckResult[],
    specs: readonly CheckSpec[],
    now = new Date(),
  ): Promise<AlertReport> {
    const policies = new Map(specs.map((spec) => [spec.name, spec.alert]));
    const states = await this.options.store.getMany(results.map((r) => r.name));
    const report: AlertReport = {
      notifier: this.options.notifier.name,
      decided: 0,
      delivered: 0,
      failed: 0,
      errors: [],
      subjects: [],
    };
    const claimedUntil = now.getTime() + (this.options.claimMs ?? 300_000);

    for (const result of results) {
      const policy = policies.get(result.name);
      if (!policy) continue;
      const inMaintenance = activeWindow(policy.maintenance, now) !== undefined;
      let decided = 0;
      const written = await this.update(result.name, states, (previous) => {
        const { state, transitions } = step(previous, result, policy, {
          now,
          location: this.options.location,
          inMaintenance,
        });
        decided = transitions.length;
        return {
          ...state,
          outbox: [
            ...(previous?.outbox ?? []).map((entry) =>
              this.claimable(entry, now) ? this.claim(entry, claimedUntil) : entry,
            ),
            ...transitions.map((transition) => this.claim({ transition }, claimedUntil)),
          ],
        };
      });
      if (written) report.decided += decided;
      else
        report.errors.push(
          `${result.name}: state changed under us ${MAX_WRITE_ATTEMPTS} times; another invocation handles it`,
        );
    }

    const mine = [...states.values()].flatMap((state) =>
      state.outbox.filter((entry) => entry.claimedBy === this.owner),
    );
    if (mine.length === 0) return report;
    const notifications = compose(
      mine.map((entry) => entry.transition),
      this.options.groupThreshold ?? 5,
    );
    const deliveries = await this.options.notifier.send(notifications).catch((error: Error) =>
      notifications.map(() => ({
        ok: false as const,
        error: `${this.options.notifier.name} failed: ${error.message}`,
      })),
    );
    const delivered = new Set<string>();
    const failed = new Set<string>();
    notifications.forEach((notification, index) => {
      const delivery = deliveries[index] ?? { ok: false, error: "no answer from the notifier" };
      for (const t of notification.transitions) (delivery.ok ? delivered : failed).add(t.dedupKey);
      if (delivery.ok) report.subjects.push(notification.subject);
      else report.errors.push(`${notification.subject}: ${delivery.error}`);
    });
    report.delivered = delivered.size;
    report.failed = failed.size;

    const touched = new Set(mine.map((entry) => entry.transition.check));
    for (const check of touched) {
      const written = await this.update(check, states, (previous) =>
        previous
          ? {
              ...previous,
              outbox: previous.outbox
                .filter(
                  (entry) => !(entry.claimedBy === this.owner && delivered.has(entry.transition.dedupKey)),
                )
                .map((entry) =>
                  entry.claimedBy === this.owner && failed.has(entry.transition.dedupKey)
                    ? { transition: entry.transition }
                    : entry,
                ),
            }
          : undefined,
      );
      if (!written)
        report.errors.push(
          `${check}: could not record the delivery; it may be delivered again (same dedup key)`,
        );
    }
    return report;
  }

  private claimable(entry: OutboxEntry, now: Date): boolean {
    return entry.claimedUntil === undefined || entry.claimedUntil <= now.getTime();
  }

  private claim(entry: OutboxEntry, until: number): OutboxEntry {
    return { transition: entry.transition, claimedBy: this.owner, claimedUntil: until };
  }

  /** A conditional write of `change(current)`, re-reading and re-deciding when someone wrote first. */
  private async update(
    check: string,
    states: Map<string, AlertState>,
    change: (previous: AlertState | undefined) => AlertState | undefined,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const previous = states.get(check);
      const next = change(previous);
      if (!next) return true;
      const expected = previous?.version ?? 0;
      const written = { ...next, version: expected + 1 };
      if (await this.options.store.put(written, expected)) {
        states.set(check, written);
        return true;
      }
      const fresh = (await this.options.store.getMany([check])).get(check);
      if (fresh) states.set(check, fresh);
      else states.delete(check);
    }
    return false;
  }
}
