import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AlertState, step, type Transition } from "../../../lib/alerting/state-machine.js";
import type { AlertPolicy } from "../../../lib/checks/load.js";
import type { Status } from "../../../lib/result.js";
import { resultFor } from "../../support/alerting.js";

const policy: AlertPolicy = { failAfter: 2, recoverAfter: 1, notifyDegraded: false, maintenance: [] };
const T0 = Date.parse("2026-11-22T00:00:00Z");
const MINUTE = 60_000;

/** Runs a sequence of statuses, one a minute; returns every transition with the run it came from. */
function play(statuses: Status[], p: AlertPolicy = policy, maintenance: boolean[] = []) {
  let state: AlertState | undefined;
  const out: { run: number; transition: Transition }[] = [];
  const states: AlertState[] = [];
  statuses.forEach((status, run) => {
    const next = step(state, resultFor("payments-api", status), p, {
      now: new Date(T0 + run * MINUTE),
      location: "eu-west-1",
      inMaintenance: maintenance[run] ?? false,
    });
    state = next.state;
    states.push(state);
    for (const transition of next.transitions) out.push({ run, transition });
  });
  return { transitions: out, states };
}

const types = (statuses: Status[], p?: AlertPolicy, m?: boolean[]) =>
  play(statuses, p, m).transitions.map((t) => `${t.run}:${t.transition.type}`);

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
});

const statusArb = fc.constantFrom<Status>("up", "degraded", "down", "unknown");
const policyArb: fc.Arbitrary<AlertPolicy> = fc.record({
  failAfter: fc.integer({ min: 1, max: 5 }),
  recoverAfter: fc.integer({ min: 1, max: 5 }),
  notifyDegraded: fc.boolean(),
  renotifyEveryMs: fc.option(
    fc.integer({ min: 1, max: 10 }).map((n) => n * MINUTE),
    { nil: undefined },
  ),
  maintenance: fc.constant([] as AlertPolicy["maintenance"]),
});

describe("alert state machine invariants (fast-check)", () => {
  it("never fires twice without a RESOLVED between, resolves only after firing, reminds only while firing", () => {
    fc.assert(
      fc.property(
        fc.array(statusArb, { maxLength: 200 }),
        policyArb,
        fc.array(fc.boolean(), { maxLength: 200 }),
        (statuses, p, maintenance) => {
          let open = false;
          for (const { transition } of play(statuses, p, maintenance).transitions) {
            if (transition.type === "FIRING") expect(open).toBe(false);
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

  it("fires exactly when failAfter failures in a row happen outside maintenance with no incident open", () => {
    fc.assert(
      fc.property(fc.array(statusArb, { maxLength: 200 }), policyArb, (statuses, p) => {
        const { transitions, states } = play(statuses, p);
        for (const { run, transition } of transitions) {
          if (transition.type === "FIRING") expect(states[run]?.failures).toBeGreaterThanOrEqual(p.failAfter);
          if (transition.type === "RESOLVED")
            expect(states[run]?.successes).toBeGreaterThanOrEqual(p.recoverAfter);
        }
        const keys = transitions.map((t) => t.transition.dedupKey);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 1_000, seed: 11 },
    );
  });
});
