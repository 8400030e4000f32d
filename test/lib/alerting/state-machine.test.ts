import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awaitingConfirmation } from "../../../lib/alerting/confirmation.js";
import { type AlertState, step, type Transition } from "../../../lib/alerting/state-machine.js";
import type { AlertPolicy } from "../../../lib/checks/load.js";
import type { Status } from "../../../lib/result.js";
import { resultFor } from "../../support/alerting.js";

const policy: AlertPolicy = {
  failAfter: 2,
  failWithin: 2,
  recoverAfter: 1,
  recoverWithin: 1,
  notifyDegraded: false,
  maintenance: [],
};
const T0 = Date.parse("2026-11-22T00:00:00Z");
const MINUTE = 60_000;

/** Runs a sequence of statuses, one a minute; returns every transition with the run it came from. */
function play(
  statuses: Status[],
  p: AlertPolicy = policy,
  maintenance: boolean[] = [],
  dependencyFailing: boolean[] = [],
) {
  let state: AlertState | undefined;
  const out: { run: number; transition: Transition }[] = [];
  const states: AlertState[] = [];
  statuses.forEach((status, run) => {
    const next = step(state, resultFor("payments-api", status), p, {
      now: new Date(T0 + run * MINUTE),
      location: "eu-west-1",
      inMaintenance: maintenance[run] ?? false,
      failingDependencies: dependencyFailing[run] ? ["db"] : [],
    });
    state = next.state;
    states.push(state);
    for (const transition of next.transitions) out.push({ run, transition });
  });
  return { transitions: out, states };
}

const types = (statuses: Status[], p?: AlertPolicy, m?: boolean[], deps?: boolean[]) =>
  play(statuses, p, m, deps).transitions.map((t) => `${t.run}:${t.transition.type}`);

describe("alert state machine", () => {
  it("lets a single failure recover silently", () => {
    expect(types(["up", "down", "up", "up"])).toEqual([]);
  });

  it("fires once for three failed runs, and resolves once after recovery", () => {
    const { transitions } = play(["up", "down", "down", "down", "up", "up"]);
    expect(transitions.map((t) => `${t.run}:${t.transition.type}`)).toEqual(["2:FIRING", "4:RESOLVED"]);
    const [firing, resolved] = transitions.map((t) => t.transition);
    expect(firing).toMatchObject({
      check: "payments-api",
      status: "down",
      severity: "critical",
      since: new Date(T0 + MINUTE).toISOString(),
      failures: 2,
      location: "eu-west-1",
      labels: { team: "payments" },
      dedupKey: `payments-api/${new Date(T0 + MINUTE).toISOString()}/FIRING`,
    });
    expect(resolved).toMatchObject({
      status: "up",
      failures: 3,
      since: firing?.since,
      dedupKey: `payments-api/${firing?.since}/RESOLVED`,
    });
  });

  it("waits for recoverAfter good runs, and reminds while still failing", () => {
    const p = { ...policy, recoverAfter: 2, renotifyEveryMs: 3 * MINUTE };
    expect(types(["down", "down", "down", "down", "down", "up", "down", "up", "up"], p)).toEqual([
      "1:FIRING",
      "4:REMINDER",
      "8:RESOLVED",
    ]);
  });

  it("alerts on degraded only when asked, and then as a warning", () => {
    expect(types(["degraded", "degraded", "degraded"])).toEqual([]);
    const { transitions } = play(["degraded", "degraded"], { ...policy, notifyDegraded: true });
    expect(transitions.map((t) => [t.transition.type, t.transition.severity])).toEqual([
      ["FIRING", "warning"],
    ]);
  });

  it("treats unknown as failing: the monitor cannot see the target", () => {
    expect(types(["unknown", "unknown"])).toEqual(["1:FIRING"]);
  });

  it("holds notifications in maintenance, and fires on the first run after it if still failing", () => {
    const statuses: Status[] = ["down", "down", "down", "down", "down", "up"];
    const maintenance = [true, true, true, false, false, false];
    expect(types(statuses, policy, maintenance)).toEqual(["3:FIRING", "5:RESOLVED"]);
    // Recovered during the window: nothing to say at all.
    expect(types(["down", "down", "up", "up"], policy, [true, true, true, false])).toEqual([]);
  });

  it("with a failure-rate policy, fires on 3 failures among the last 5 runs, not on scattered ones", () => {
    const rate = { ...policy, failAfter: 3, failWithin: 5 };
    expect(types(["down", "up", "down", "up", "down", "up"], rate)).toEqual(["4:FIRING", "5:RESOLVED"]);
    // One failure in five, again and again: never three in any five.
    expect(
      types(
        Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? "down" : "up")),
        rate,
      ),
    ).toEqual([]);
    // The incident starts at the first failure since the window was clean.
    const { transitions } = play(["up", "down", "up", "down", "down"], rate);
    expect(transitions[0]?.transition.since).toBe(new Date(T0 + MINUTE).toISOString());
  });

  it("recovers with hysteresis: 3 good runs among the last 5, counted only after the FIRING", () => {
    const sticky = { ...policy, recoverAfter: 3, recoverWithin: 5 };
    const statuses: Status[] = ["down", "down", "up", "down", "up", "down", "up", "up"];
    expect(types(statuses, sticky)).toEqual(["1:FIRING", "6:RESOLVED"]);
    // After a RESOLVED the window starts afresh: old failures do not fire again at once.
    const rate = { ...policy, failAfter: 2, failWithin: 4 };
    expect(types(["down", "down", "up", "down", "up", "up"], rate)).toEqual(["1:FIRING", "2:RESOLVED"]);
  });

  it("escalates a degraded incident that goes down with a second FIRING at the higher severity", () => {
    const p = { ...policy, notifyDegraded: true };
    const { transitions } = play(["degraded", "degraded", "down", "down", "down", "degraded", "up"], p);
    expect(transitions.map((t) => `${t.run}:${t.transition.type}:${t.transition.severity}`)).toEqual([
      "1:FIRING:warning",
      "3:FIRING:critical",
      "6:RESOLVED:critical",
    ]);
    expect(transitions[1]?.transition.escalatedFrom).toBe("warning");
    expect(transitions[1]?.transition.dedupKey).not.toBe(transitions[0]?.transition.dedupKey);
    // One down run between degraded ones does not escalate (failAfter applies to escalation too).
    expect(types(["degraded", "degraded", "down", "degraded", "up"], p)).toEqual(["1:FIRING", "4:RESOLVED"]);
  });

  it("holds FIRING while a dependency fails, lets RESOLVED through, fires after if still failing", () => {
    const deps = [false, true, true, true, false, false];
    expect(types(["down", "down", "down", "down", "down", "up"], policy, [], deps)).toEqual([
      "4:FIRING",
      "5:RESOLVED",
    ]);
    // Firing before the dependency failed: a RESOLVED still goes while it fails.
    expect(types(["down", "down", "up"], policy, [], [false, false, true])).toEqual([
      "1:FIRING",
      "2:RESOLVED",
    ]);
  });

  it("says when a failure awaits confirmation: failing, and not firing (or failing worse)", () => {
    const p = { ...policy, notifyDegraded: true };
    const awaiting = (statuses: Status[]) => play(statuses, p).states.map(awaitingConfirmation);
    expect(awaiting(["up", "down", "down", "down", "up"])).toEqual([false, true, false, false, false]);
    expect(awaiting(["degraded", "degraded", "down", "down"])).toEqual([true, false, true, false]);
  });
});

const statusArb = fc.constantFrom<Status>("up", "degraded", "down", "unknown");
const policyArb: fc.Arbitrary<AlertPolicy> = fc
  .record({
    failAfter: fc.integer({ min: 1, max: 5 }),
    failSlack: fc.integer({ min: 0, max: 3 }),
    recoverAfter: fc.integer({ min: 1, max: 5 }),
    recoverSlack: fc.integer({ min: 0, max: 3 }),
    notifyDegraded: fc.boolean(),
    renotifyEveryMs: fc.option(
      fc.integer({ min: 1, max: 10 }).map((n) => n * MINUTE),
      { nil: undefined },
    ),
  })
  .map(({ failSlack, recoverSlack, ...p }) => ({
    ...p,
    failWithin: p.failAfter + failSlack,
    recoverWithin: p.recoverAfter + recoverSlack,
    maintenance: [],
  }));

describe("alert state machine invariants (fast-check)", () => {
  it("never fires twice without a RESOLVED between (but to escalate), resolves only after firing, reminds only while firing", () => {
    fc.assert(
      fc.property(
        fc.array(statusArb, { maxLength: 200 }),
        policyArb,
        fc.array(fc.boolean(), { maxLength: 200 }),
        (statuses, p, maintenance) => {
          let open = false;
          for (const { transition } of play(statuses, p, maintenance).transitions) {
            if (transition.type === "FIRING") expect(open).toBe(transition.escalatedFrom !== undefined);
            else expect(open).toBe(true);
            if (transition.type === "FIRING") open = true;
            if (transition.type === "RESOLVED") open = false;
          }
        },
      ),
      { numRuns: 1_000, seed: 42 },
    );
  });

  it("maintenance holds notifications but never state", () => {
    fc.assert(
      fc.property(
        fc.array(statusArb, { maxLength: 200 }),
        policyArb,
        fc.array(fc.boolean(), { maxLength: 200 }),
        (statuses, p, maintenance) => {
          const held = play(statuses, p, maintenance);
          const free = play(statuses, p);
          expect(held.states.map((s) => [s.failures, s.successes, s.lastStatus])).toEqual(
            free.states.map((s) => [s.failures, s.successes, s.lastStatus]),
          );
          for (const { run } of held.transitions) expect(maintenance[run] ?? false).toBe(false);
        },
      ),
      { numRuns: 1_000, seed: 7 },
    );
  });

  it("fires only with failAfter failures among the last failWithin runs, resolves only with recoverAfter passes", () => {
    fc.assert(
      fc.property(fc.array(statusArb, { maxLength: 200 }), policyArb, (statuses, p) => {
        const { transitions } = play(statuses, p);
        const failed = statuses.map(
          (s) => s === "down" || s === "unknown" || (s === "degraded" && p.notifyDegraded),
        );
        const among = (run: number, within: number, value: boolean) =>
          failed.slice(Math.max(0, run - within + 1), run + 1).filter((f) => f === value).length;
        for (const { run, transition } of transitions) {
          if (transition.type === "FIRING" && !transition.escalatedFrom)
            expect(among(run, p.failWithin, true)).toBeGreaterThanOrEqual(p.failAfter);
          if (transition.type === "RESOLVED")
            expect(among(run, p.recoverWithin, false)).toBeGreaterThanOrEqual(p.recoverAfter);
        }
        const keys = transitions.map((t) => t.transition.dedupKey);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 1_000, seed: 11 },
    );
  });
});
