import { describe, expect, it } from "vitest";
import {
  seededRandom,
  simulate,
  simulatedCheck,
  standardTimeline,
} from "../../../lib/alerting/simulation.js";
import { type CheckSpec, parseCheckFile } from "../../../lib/checks/load.js";

/** A check with the shipped defaults, as the loader makes it. */
function loaded(extra = ""): CheckSpec {
  const { checks, diagnostics } = parseCheckFile(
    "sim.yml",
    `checks:\n  - name: api\n    http: { url: "https://api.example.com/health" }\n${extra}`,
    ".",
  );
  expect(diagnostics).toEqual([]);
  return checks[0] as CheckSpec;
}

const SEEDS = 20;
const over = (rate: number, check: ReturnType<typeof simulatedCheck>) =>
  Array.from({ length: SEEDS }, (_, i) => simulate(standardTimeline(rate, i + 1), check));

describe("alert-quality simulation", () => {
  it("with the defaults, pages for no random 5xx at 5 % or 10 %, and detects every outage within 1.5 intervals on average", () => {
    const defaults = simulatedCheck(loaded(), "defaults", true);
    for (const rate of [0.05, 0.1]) {
      const runs = over(rate, defaults);
      expect(runs.reduce((n, r) => n + r.falsePages, 0)).toBe(0);
      expect(runs.flatMap((r) => r.missed)).toEqual([]);
      const times = runs.flatMap((r) => r.detected.map((d) => d.afterMs));
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      expect(mean).toBeLessThan(1.5 * 60_000);
      // Confirmation is what makes it quick: some runs were confirmed, all inside their minute.
      expect(runs.every((r) => r.confirmations > 0)).toBe(true);
    }
  });

  it("shows what the defaults protect against: the previous engine, retrying only timeouts, pages on 5xx flakes", () => {
    const before = {
      ...simulatedCheck(loaded("    retries: 1\n    alert: { confirmAfter: false }\n"), "before", false),
      retryOnlyTimeouts: true,
    };
    const runs = over(0.1, before);
    expect(runs.reduce((n, r) => n + r.falsePages, 0) / SEEDS).toBeGreaterThan(10);
  });

  it("without confirmation (a one-shot run), detection takes longer and two-minute outages can slip by", () => {
    const runs = over(0, simulatedCheck(loaded(), "one-shot", false));
    const times = runs.flatMap((r) => r.detected.map((d) => d.afterMs));
    expect(times.reduce((a, b) => a + b, 0) / times.length).toBeGreaterThan(1.5 * 60_000);
    expect(runs.some((r) => r.missed.length > 0)).toBe(true);
  });

  it("is the same for the same seed", () => {
    expect(Array.from({ length: 5 }, seededRandom(1))).toEqual(Array.from({ length: 5 }, seededRandom(1)));
    const check = simulatedCheck(loaded(), "defaults", true);
    expect(simulate(standardTimeline(0.1, 3), check)).toEqual(simulate(standardTimeline(0.1, 3), check));
  });
});
