import { describe, expect, it } from "vitest";
import { STANDARD_TIMELINE, seededRandom, simulate } from "../../../lib/alerting/simulation.js";
import { DEFAULTS } from "../../../lib/checks/load.js";

const defaults = {
  failAfter: DEFAULTS.failAfter,
  recoverAfter: DEFAULTS.recoverAfter,
  notifyDegraded: false,
  maintenance: [],
};

describe("alert-quality simulation", () => {
  it("with the defaults, raises no false alert and detects every outage within failAfter intervals", () => {
    const result = simulate({
      ...STANDARD_TIMELINE,
      outages: [...STANDARD_TIMELINE.outages],
      policy: defaults,
      retries: DEFAULTS.retries,
    });
    expect(result.falseAlerts).toBe(0);
    expect(result.missed).toEqual([]);
    expect(result.detected).toHaveLength(STANDARD_TIMELINE.outages.length);
    for (const d of result.detected) expect(d.afterRuns).toBeLessThanOrEqual(defaults.failAfter);
    expect(result.firing).toBe(STANDARD_TIMELINE.outages.length);
    // The timeline does have transient failures that got through a retry: the policy absorbed them.
    expect(result.failedRuns).toBeGreaterThan(STANDARD_TIMELINE.outages.reduce((n, o) => n + o.length, 0));
  });

  it("shows what the defaults protect against: alerting on every failed attempt is noisy", () => {
    const eager = simulate({
      ...STANDARD_TIMELINE,
      outages: [...STANDARD_TIMELINE.outages],
      policy: { ...defaults, failAfter: 1 },
      retries: 0,
    });
    expect(eager.falseAlerts).toBeGreaterThan(300);
  });

  it("is the same for the same seed", () => {
    expect(Array.from({ length: 5 }, seededRandom(1))).toEqual(Array.from({ length: 5 }, seededRandom(1)));
  });
});
