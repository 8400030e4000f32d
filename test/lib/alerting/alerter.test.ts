import { describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import type { AlertState } from "../../../lib/alerting/state-machine.js";
import { MemoryStore, type StateStore } from "../../../lib/alerting/stores/store.js";
import type { CheckSpec } from "../../../lib/checks/load.js";
import type { Status } from "../../../lib/result.js";
import { RecordingNotifier, resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";

const T0 = Date.parse("2026-11-22T00:00:00Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const spec = (name: string, alert: Record<string, unknown> = {}): CheckSpec =>
  check({ name, alert, tcp: { host: "a", port: 1 } });

function setup(specs: CheckSpec[], options: { groupThreshold?: number } = {}) {
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const alerter = new Alerter({ store, notifier, location: "eu-west-1", ...options });
  const run = (minute: number, statuses: Record<string, Status>) =>
    alerter.process(
      Object.entries(statuses).map(([name, status]) => resultFor(name, status)),
      specs,
      { now: at(minute) },
    );
  return { store, notifier, alerter, run };
}

describe("alerter", () => {
  it("recovers from one failure silently; fires once after three, resolves once after recovery", async () => {
    const { notifier, run } = setup([spec("api")]);
    for (const [minute, status] of [
      [0, "down"],
      [1, "up"],
      [2, "down"],
      [3, "down"],
      [4, "down"],
      [5, "up"],
      [6, "up"],
    ] as const) {
      await run(minute, { api: status });
    }
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
    expect(notifier.delivered[0]?.subject).toBe("[CRITICAL] api is DOWN: status 503, expected 200");
    expect(notifier.delivered[1]?.subject).toBe("[RESOLVED] api is UP again after 3m");
  });

  it("loses nothing in a notifier outage: the FIRING goes out on the first run after it recovers", async () => {
    const { notifier, run, store } = setup([spec("api")]);
    await run(0, { api: "down" });
    notifier.down = true;
    const during = await run(1, { api: "down" });
    expect(during).toMatchObject({ decided: 1, delivered: 0, failed: 1 });
    expect(during.errors).toEqual([
      "[CRITICAL] api is DOWN: status 503, expected 200: ServiceUnavailable: SNS is down",
    ]);
    expect((await run(2, { api: "down" })).failed).toBe(1);
    notifier.down = false;
    const after = await run(3, { api: "down" });
    expect(after).toMatchObject({ decided: 0, delivered: 1, failed: 0 });
    expect(notifier.log()).toEqual(["FIRING api"]);
    const firing = notifier.attempts.map((n) => n.dedupKey);
    expect(new Set(firing).size).toBe(1);
    expect((await store.getMany(["api"])).get("api")?.outbox).toEqual([]);
  });

  it("delivers a held FIRING before the RESOLVED that follows it", async () => {
    const { notifier, run } = setup([spec("api")]);
    notifier.down = true;
    await run(0, { api: "down" });
    await run(1, { api: "down" });
    notifier.down = false;
    await run(2, { api: "up" });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
  });

  it("sends one summary per severity when many checks fire in one run", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const { notifier, run } = setup(
      names.map((n) => spec(n)),
      { groupThreshold: 5 },
    );
    const all = (status: Status) => Object.fromEntries(names.map((n) => [n, status]));
    await run(0, all("down"));
    await run(1, all("down"));
    expect(notifier.delivered).toHaveLength(1);
    expect(notifier.delivered[0]?.subject).toBe("[CRITICAL] 6 checks are failing: a, b, c, d, e, f");
    expect(notifier.delivered[0]?.transitions).toHaveLength(6);
    await run(2, { a: "up" });
    expect(notifier.delivered[1]?.subject).toBe("[RESOLVED] a is UP again after 2m");
  });

  it("holds notifications during maintenance and sends them when it ends", async () => {
    const windowed = spec("api", {});
    windowed.alert.maintenance = [{ start: at(0).toISOString(), end: at(3).toISOString() }];
    const { notifier, run } = setup([windowed]);
    for (let minute = 0; minute < 3; minute++) await run(minute, { api: "down" });
    expect(notifier.log()).toEqual([]);
    await run(3, { api: "down" });
    expect(notifier.log()).toEqual(["FIRING api"]);
  });

  it("never fires twice when two invocations race on one check", async () => {
    const shared = new SlowStore(new MemoryStore());
    const notifier = new RecordingNotifier();
    const one = new Alerter({ store: shared, notifier, location: "a", owner: "one" });
    const two = new Alerter({ store: shared, notifier, location: "a", owner: "two" });
    await one.process([resultFor("api", "down")], [spec("api")], { now: at(0) });
    await Promise.all([
      one.process([resultFor("api", "down")], [spec("api")], { now: at(1) }),
      two.process([resultFor("api", "down")], [spec("api")], { now: at(1) }),
    ]);
    expect(notifier.log()).toEqual(["FIRING api"]);
  });

  it("delivers what a crashed invocation claimed, once its claim expires", async () => {
    const store = new MemoryStore();
    const dying = new DyingNotifier();
    const crashed = new Alerter({ store, notifier: dying, location: "a", owner: "crashed", claimMs: 60_000 });
    await crashed.process([resultFor("api", "down")], [spec("api")], { now: at(0) });
    void crashed.process([resultFor("api", "down")], [spec("api")], { now: at(1) });
    await dying.reached;
    const notifier = new RecordingNotifier();
    const next = new Alerter({ store, notifier, location: "a", owner: "next" });
    await next.process([resultFor("api", "down")], [spec("api")], { now: at(1.5) });
    expect(notifier.log()).toEqual([]);
    await next.process([resultFor("api", "down")], [spec("api")], { now: at(2.5) });
    expect(notifier.log()).toEqual(["FIRING api"]);
  });
});

/** Yields between read and write, so concurrent invocations interleave as they would on a network. */
class SlowStore implements StateStore {
  readonly name = "slow";
  constructor(private readonly inner: StateStore) {}
  async getMany(checks: readonly string[]) {
    const states = await this.inner.getMany(checks);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return states;
  }
  async put(state: AlertState, expected: number) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return this.inner.put(state, expected);
  }
}

/** A process that dies while publishing: the call never comes back. */
class DyingNotifier extends RecordingNotifier {
  private reach: () => void = () => {};
  readonly reached = new Promise<void>((resolve) => {
    this.reach = resolve;
  });
  override send(): Promise<never> {
    this.reach();
    return new Promise<never>(() => {});
  }
}

it("treats a notifier that throws as a failed delivery, to be retried", async () => {
  const store = new MemoryStore();
  const throwing = new (class extends RecordingNotifier {
    override async send(): Promise<never> {
      throw new Error("socket hang up");
    }
  })();
  const alerter = new Alerter({ store, notifier: throwing, location: "a" });
  await alerter.process([resultFor("api", "down")], [spec("api")], { now: at(0) });
  const report = await alerter.process([resultFor("api", "down")], [spec("api")], { now: at(1) });
  expect(report).toMatchObject({ decided: 1, failed: 1 });
  expect(report.errors[0]).toMatch(/recording failed: socket hang up$/);
  expect((await store.getMany(["api"])).get("api")?.outbox).toEqual([
    {
      transition: expect.objectContaining({ type: "FIRING" }),
      failedAttempts: 1,
      lastError: "recording failed: socket hang up",
    },
  ]);
});
