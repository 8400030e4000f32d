/**
 * Delivering what one decision handed on, while a later decision of the same run (a confirmation
 * round) decides the same check: nothing is sent twice, and nothing the later one claimed is
 * released by the earlier one's settling.
 */
import { describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import type { Notification } from "../../../lib/alerting/message.js";
import type { Delivery } from "../../../lib/alerting/notifiers/notifier.js";
import { MemoryStore } from "../../../lib/alerting/stores/store.js";
import { RecordingNotifier, resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";

const T0 = Date.parse("2026-11-22T00:00:00Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);

/** A notifier whose next send waits until `open()`. */
class GatedNotifier extends RecordingNotifier {
  private gate: Promise<void> | undefined;
  private release = () => {};
  hold(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  open(): void {
    this.release();
  }
  override async send(notifications: readonly Notification[]): Promise<Delivery[]> {
    await this.gate;
    return super.send(notifications);
  }
}

describe("delivering a run's decisions", () => {
  it("never sends an entry twice, nor releases another decision's, when two decisions of one run overlap", async () => {
    const spec = check({
      name: "api",
      alert: { failAfter: 1, renotifyEvery: "1m" },
      tcp: { host: "a", port: 1 },
    });
    const store = new MemoryStore();
    const notifier = new GatedNotifier();
    const alerter = new Alerter({ store, notifier, location: "a" });
    // An earlier run decided the FIRING and could not deliver it.
    notifier.down = true;
    await alerter.process([resultFor("api", "down")], [spec], { now: at(0) });
    notifier.down = false;

    // This run: its first decision hands the FIRING on, and its delivery hangs for a while.
    const handedEarlier = new Set<string>();
    const first = await alerter.decide([resultFor("api", "down")], [spec], { now: at(0.5), handedEarlier });
    expect(first.handed.map((e) => e.transition.type)).toEqual(["FIRING"]);
    for (const entry of first.handed) handedEarlier.add(entry.transition.dedupKey);
    notifier.hold();
    const firstDelivery = alerter.deliver(first);
    // A later decision of the same run meanwhile: a REMINDER is due; the FIRING is not handed again.
    const second = await alerter.decide([resultFor("api", "down")], [spec], { now: at(2), handedEarlier });
    expect(second.handed.map((e) => e.transition.type)).toEqual(["REMINDER"]);
    notifier.open();
    const reports = [await firstDelivery, await alerter.deliver(second)];

    expect(reports.map((r) => [r.delivered, r.failed, r.errors])).toEqual([
      [1, 0, []],
      [1, 0, []],
    ]);
    // The earlier run's failed attempt, then each entry once.
    expect(notifier.attempts.flatMap((n) => n.transitions.map((t) => t.type))).toEqual([
      "FIRING",
      "FIRING",
      "REMINDER",
    ]);
    expect((await store.getMany(["api"])).get("api")?.outbox).toEqual([]);
  });
});
