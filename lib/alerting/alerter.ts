/**
 * From results to delivered notifications: decided once, delivered at least once, duplicates with the
 * same dedup key. Alerting is two stages of the run (lib/runtime/stages/): deciding
 * (lib/alerting/decide.ts) writes each check's state and outbox in one conditional write; delivering
 * (lib/alerting/deliver.ts) sends what a decision handed on and settles it. An Alerter holds what both
 * share: the state store, the notifier, and this process's identity on outbox claims.
 */
import { randomUUID } from "node:crypto";
import type { CheckSpec } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import { type DecideContext, type DecideOptions, type Decision, decide } from "./decide.js";
import { type DeliverContext, type DeliverOptions, deliver } from "./deliver.js";
import type { Notifier } from "./notifiers/notifier.js";
import { type AlertReport, mergeAlertReports } from "./report.js";
import type { DeadLetter } from "./state-machine.js";
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

/** State writes in flight at once: a slow store costs a run time, not one write after another. */
const STATE_WRITES_IN_FLIGHT = 16;

export class Alerter {
  /** What deciding and delivering share; claims are this process's, under `owner`. */
  private readonly parts: DecideContext & DeliverContext;

  constructor(options: AlerterOptions) {
    this.parts = {
      ...options,
      owner: options.owner ?? randomUUID(),
      // The store's own preference (the state file: all at once), else a bound.
      writesInFlight: options.store.writesInFlight ?? STATE_WRITES_IN_FLIGHT,
    };
  }

  get notifierName(): string {
    return this.parts.notifier.name;
  }

  /** Where notifications go: for a test notification sent outside any run. */
  get notifier(): Notifier {
    return this.parts.notifier;
  }

  decide(
    results: readonly CheckResult[],
    specs: readonly CheckSpec[],
    options: DecideOptions = {},
  ): Promise<Decision> {
    return decide(this.parts, results, specs, options);
  }

  deliver(decision: Decision, options: DeliverOptions = {}): Promise<AlertReport> {
    return deliver(this.parts, decision, options);
  }

  /** Decides and delivers at once: a run of its own, outside the run pipeline's stages. */
  async process(
    results: readonly CheckResult[],
    specs: readonly CheckSpec[],
    options: DecideOptions = {},
  ): Promise<AlertReport> {
    const decision = await this.decide(results, specs, options);
    return mergeAlertReports([decision.report, await this.deliver(decision, options)]);
  }
}
