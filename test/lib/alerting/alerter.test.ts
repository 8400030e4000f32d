import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import type { Notification } from "../../../lib/alerting/message.js";
import type { Delivery } from "../../../lib/alerting/notifiers/notifier.js";
import type { AlertState } from "../../../lib/alerting/state-machine.js";
import { MemoryStore, type StateStore } from "../../../lib/alerting/stores/store.js";
import { type CheckSpec, loadChecks } from "../../../lib/checks/load.js";
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

  it("writes no state for a steady healthy check, and writes again as soon as it fails", async () => {
    const { store, notifier, run } = setup([spec("api")]);
    let puts = 0;
    const put = store.put.bind(store);
    store.put = (state, expected) => {
      puts++;
      return put(state, expected);
    };
    for (let minute = 0; minute < 10; minute++) await run(minute, { api: "up" });
    // The first runs fill the outcome window; after that a healthy run changes nothing worth a write.
    expect(puts).toBeLessThanOrEqual(3);
    const settled = puts;
    for (let minute = 10; minute < 20; minute++) await run(minute, { api: "up" });
    expect(puts).toBe(settled);
    for (let minute = 20; minute < 23; minute++) await run(minute, { api: "down" });
    expect(puts).toBe(settled + 4);
    expect(notifier.log()).toEqual(["FIRING api"]);
    for (let minute = 23; minute < 26; minute++) await run(minute, { api: "up" });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
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

/** Checks from a file written to a fresh folder, linked as loadChecks links them (dependsOn). */
async function loaded(yaml: string): Promise<CheckSpec[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "watchpost-alerter-"));
  await writeFile(path.join(dir, "checks.yml"), yaml);
  const { checks, diagnostics } = await loadChecks(dir);
  expect(diagnostics).toEqual([]);
  return checks;
}

const DATABASE_AND_THREE = `checks:
  - name: db
    tcp: { host: db, port: 5432 }
  - name: api
    dependsOn: [db]
    tcp: { host: api, port: 443 }
  - name: web
    dependsOn: [db]
    tcp: { host: web, port: 443 }
  - name: worker
    dependsOn: [db]
    tcp: { host: worker, port: 443 }
`;

describe("dependencies", () => {
  it("sends one FIRING naming all four when a dependency and its three dependents fail", async () => {
    const { notifier, run } = setup(await loaded(DATABASE_AND_THREE));
    const all = (status: Status) => ({ db: status, api: status, web: status, worker: status });
    await run(0, all("up"));
    const first = await run(1, all("down"));
    expect(first.pending.sort()).toEqual(["db"]);
    expect(first.held.map((h) => h.check).sort()).toEqual(["api", "web", "worker"]);
    await run(2, all("down"));
    expect(notifier.delivered.map((n) => n.subject)).toEqual([
      "[CRITICAL] db is DOWN (also failing: api, web, worker): status 503, expected 200",
    ]);
    expect(notifier.delivered[0]?.body).toContain(
      "Also failing, depending on db (their own alerts are held while it fails): api, web, worker",
    );
    // The database recovers; web is still failing on its own: now it pages for itself.
    await run(3, { db: "up", api: "up", web: "down", worker: "up" });
    expect(notifier.log()).toEqual(["FIRING db", "RESOLVED db", "FIRING web"]);
  });

  it("judges a dependency probed elsewhere (another shard or interval) by its stored state, if recent", async () => {
    const specs = await loaded(DATABASE_AND_THREE);
    const { notifier, run } = setup(specs);
    // The database's own shard ran and recorded failures; this run has only the dependents.
    await run(0, { db: "down" });
    await run(1, { db: "down" });
    await run(1, { api: "down", web: "up", worker: "up" });
    await run(2, { api: "down", web: "up", worker: "up" });
    expect(notifier.log()).toEqual(["FIRING db"]);
    // Ten minutes later without a word from the database, its old state no longer holds api back.
    await run(12, { api: "down", web: "up", worker: "up" });
    expect(notifier.log()).toEqual(["FIRING db", "FIRING api"]);
  });
});

describe("delivery that keeps its promises", () => {
  /** Fails whatever `refuse` says, with the given fate, and records the rest. */
  class ScriptedNotifier extends RecordingNotifier {
    refuse: (n: Notification) => Delivery | undefined = () => undefined;
    override async send(notifications: readonly Notification[]): Promise<Delivery[]> {
      this.attempts.push(...notifications);
      return notifications.map((n) => {
        const fate = this.refuse(n);
        if (fate) return fate;
        this.delivered.push(n);
        return { ok: true };
      });
    }
  }

  it("never sends a RESOLVED before its FIRING is acknowledged: in waves, in order", async () => {
    const store = new MemoryStore();
    const notifier = new ScriptedNotifier();
    const alerter = new Alerter({ store, notifier, location: "a" });
    const process = (minute: number, status: Status) =>
      alerter.process([resultFor("api", status)], [spec("api")], { now: at(minute) });
    notifier.refuse = (n) => (n.type === "FIRING" ? { ok: false, error: "Throttled" } : undefined);
    await process(0, "down");
    await process(1, "down");
    // The FIRING failed again, so the RESOLVED decided now waits behind it.
    const held = await process(2, "up");
    expect(notifier.attempts.map((n) => n.type)).toEqual(["FIRING", "FIRING"]);
    expect(held).toMatchObject({ decided: 1, delivered: 0, failed: 1 });
    notifier.refuse = () => undefined;
    const sent = await process(3, "up");
    expect(sent.delivered).toBe(2);
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
    expect((await store.getMany(["api"])).get("api")?.outbox).toEqual([]);
  });

  it("drops a reminder that a later transition of its incident supersedes", async () => {
    const store = new MemoryStore();
    const notifier = new ScriptedNotifier();
    const alerter = new Alerter({ store, notifier, location: "a" });
    const policy = [spec("api", { renotifyEvery: "1m" })];
    await alerter.process([resultFor("api", "down")], policy, { now: at(0) });
    await alerter.process([resultFor("api", "down")], policy, { now: at(1) });
    notifier.refuse = (n) => (n.type === "REMINDER" ? { ok: false, error: "Throttled" } : undefined);
    await alerter.process([resultFor("api", "down")], policy, { now: at(2) });
    notifier.refuse = () => undefined;
    await alerter.process([resultFor("api", "up")], policy, { now: at(3) });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
    expect((await store.getMany(["api"])).get("api")?.outbox).toEqual([]);
  });

  it("gives up on a notification refused for good at once, and on one failing too many runs", async () => {
    const store = new MemoryStore();
    const notifier = new ScriptedNotifier();
    const letters: string[] = [];
    const alerter = new Alerter({
      store,
      notifier,
      location: "a",
      maxDeliveryAttempts: 3,
      onDeadLetter: (l) => letters.push(`${l.transition.check} ${l.failedAttempts} ${l.error}`),
    });
    const specs = [spec("bad"), spec("flaky")];
    notifier.refuse = (n) =>
      n.transitions[0]?.check === "bad"
        ? { ok: false, error: "InvalidParameter: Subject too long", permanent: true }
        : { ok: false, error: "Throttled" };
    const reports = [];
    for (let minute = 0; minute < 5; minute++)
      reports.push(
        await alerter.process([resultFor("bad", "down"), resultFor("flaky", "down")], specs, {
          now: at(minute),
        }),
      );
    expect(reports.map((r) => r.dead)).toEqual([0, 1, 0, 1, 0]);
    expect(letters).toEqual([
      "bad 1 refused for good: InvalidParameter: Subject too long",
      "flaky 3 Throttled",
    ]);
    const states = await store.getMany(["bad", "flaky"]);
    expect(states.get("bad")?.outbox).toEqual([]);
    expect(states.get("flaky")?.outbox).toEqual([]);
    expect(states.get("flaky")?.dead?.[0]).toMatchObject({
      failedAttempts: 3,
      transition: { type: "FIRING" },
    });
  });

  it("reports a store failure for its check alone; the other checks are decided and delivered", async () => {
    const inner = new MemoryStore();
    const store: StateStore = {
      name: "flaky-store",
      getMany: (checks) => inner.getMany(checks),
      put: async (state, expected) => {
        if (state.check === "broken")
          throw Object.assign(new Error("Internal server error"), { name: "InternalServerError" });
        return inner.put(state, expected);
      },
    };
    const notifier = new RecordingNotifier();
    const alerter = new Alerter({ store, notifier, location: "a", owner: "me" });
    const specs = [spec("broken", { failAfter: 1 }), spec("fine", { failAfter: 1 })];
    const report = await alerter.process([resultFor("broken", "down"), resultFor("fine", "down")], specs, {
      now: at(0),
    });
    expect(report.errors).toEqual([
      "broken: alert state could not be written to flaky-store: InternalServerError: Internal server error",
    ]);
    expect(notifier.log()).toEqual(["FIRING fine"]);
  });

  it("claims until the run's deadline, so a long run's entries are not taken by the next", async () => {
    const store = new MemoryStore();
    const dying = new DyingNotifier();
    const crashed = new Alerter({ store, notifier: dying, location: "a", owner: "long-run" });
    const policy = [spec("api", { failAfter: 1 })];
    void crashed.process([resultFor("api", "down")], policy, { now: at(0), deadline: at(14).getTime() });
    await dying.reached;
    const notifier = new RecordingNotifier();
    const next = new Alerter({ store, notifier, location: "a", owner: "next" });
    await next.process([resultFor("api", "down")], policy, { now: at(10) });
    expect(notifier.log()).toEqual([]);
    await next.process([resultFor("api", "down")], policy, { now: at(15) });
    expect(notifier.log()).toEqual(["FIRING api"]);
  });

  it("leaves state alone for a skipped check: the monitor's overload neither fails nor recovers it", async () => {
    const { store, run } = setup([spec("api")]);
    await run(0, { api: "down" });
    const before = (await store.getMany(["api"])).get("api");
    const report = await run(1, { api: "skipped" });
    expect(report).toMatchObject({ decided: 0, errors: [] });
    expect((await store.getMany(["api"])).get("api")).toEqual(before);
  });
});

it("counts a dead letter once when recording it met a conflicting write", async () => {
  const inner = new MemoryStore();
  let conflicted = false;
  const store: StateStore = {
    name: "conflicting",
    getMany: (checks) => inner.getMany(checks),
    put: async (state, expected) => {
      if (state.dead && !conflicted) {
        conflicted = true;
        return false;
      }
      return inner.put(state, expected);
    },
  };
  const letters: string[] = [];
  const notifier = new RecordingNotifier();
  notifier.down = true;
  const alerter = new Alerter({
    store,
    notifier,
    location: "a",
    maxDeliveryAttempts: 1,
    onDeadLetter: (l) => letters.push(l.transition.dedupKey),
  });
  const report = await alerter.process([resultFor("api", "down")], [spec("api", { failAfter: 1 })], {
    now: at(0),
  });
  expect(conflicted).toBe(true);
  expect(report).toMatchObject({ dead: 1, conflicts: 1 });
  expect(letters).toHaveLength(1);
  expect((await inner.getMany(["api"])).get("api")?.dead).toHaveLength(1);
});
