import { describe, expect, it } from "vitest";
import type { Slo } from "../../../lib/checks/load.js";
import { addTransitions } from "../../../lib/history/incidents.js";
import { addResult, compact, emptyHistory, type History, percentile } from "../../../lib/history/model.js";
import { sloReport } from "../../../lib/history/slo.js";

const MIN = 60_000;
const NOW = Date.parse("2026-11-22T11:59:30Z");

/** One run a minute, on the minute, from `from` to `to` (exclusive). */
function seed(
  history: History,
  from: number,
  to: number,
  status: (at: number) => "up" | "down",
  ms: (at: number) => number,
) {
  for (let at = from; at < to; at += MIN)
    addResult(
      history,
      { name: "api", status: status(at), durationMs: ms(at), startedAt: new Date(at).toISOString() },
      MIN,
      300,
    );
}

describe("SLO reports", () => {
  it("match a hand computation: 10 failed runs of 43,200 in 30 days, all in the last 10 minutes", () => {
    const history = emptyHistory();
    const lastTen = Date.parse("2026-11-22T11:50:00Z");
    seed(
      history,
      Date.parse("2026-10-23T12:00:00Z"),
      Date.parse("2026-11-22T12:00:00Z") - MIN + 1,
      (at) => (at >= lastTen ? "down" : "up"),
      () => 100,
    );
    const slo: Slo = { availability: 0.999, windowMs: 30 * 86_400_000 };
    const report = sloReport("api", slo, history, NOW);
    const [availability] = report.objectives;
    // 43,200 runs, 10 down: 99.97685 %; the budget is 0.1 % of 43,200 = 43.2 runs, 10 spent.
    expect(availability).toMatchObject({ sli: "availability", good: 43_190, total: 43_200 });
    expect(availability?.actual).toBeCloseTo(43_190 / 43_200, 10);
    expect(availability?.budgetRemaining).toBe(Number((1 - 10 / 43.2).toFixed(3)));
    // Burn rate = bad share ÷ 0.001, each window rounded out to whole five-minute slots (now is
    // 11:59:30): 5m 11:50-12:00 10/10, 30m 11:25- 10/35, 1h 10:55- 10/65, 6h 05:55- 10/365,
    // 3d 11:55 three days back- 10/4325.
    expect(availability?.burnRates).toEqual({
      "5m": 1000,
      "30m": Number((10 / 35 / 0.001).toFixed(3)),
      "1h": Number((10 / 65 / 0.001).toFixed(3)),
      "6h": Number((10 / 365 / 0.001).toFixed(3)),
      "3d": Number((10 / 4325 / 0.001).toFixed(3)),
    });
    expect(report.alerts).toEqual([
      {
        level: "page",
        sli: "availability",
        text: expect.stringMatching(
          /^availability 99\.9%: the error budget burns 153\.846× over 1h and 1000× over 5m \(alert above 14\.4×\); at this rate what is left lasts \d+h$/,
        ),
      },
    ]);
  });

  it("measures a latency objective as the share of passing runs within the threshold", () => {
    const history = emptyHistory();
    const start = Date.parse("2026-11-22T00:00:00Z");
    // 1,440 runs in a day; every tenth took 400 ms, the rest 100 ms.
    seed(
      history,
      start - 12 * 3_600_000,
      start + 12 * 3_600_000 - 30_000,
      () => "up",
      (at) => ((at / MIN) % 10 === 0 ? 400 : 100),
    );
    const report = sloReport(
      "api",
      { latency: { quantile: 0.95, thresholdMs: 300 }, windowMs: 86_400_000 },
      history,
      NOW,
    );
    const [latency] = report.objectives;
    expect(latency).toMatchObject({
      sli: "latency",
      total: 1_440,
      good: 1_296,
      thresholdMs: 300,
      quantile: 0.95,
    });
    // 10 % slow against a 5 % budget: spent twice over; p95 is one of the 400 ms runs, within 2.5 %.
    expect(latency?.budgetRemaining).toBe(-1);
    expect(Math.abs((latency?.measuredMs ?? 0) - 400) / 400).toBeLessThanOrEqual(0.025);
    expect(report.alerts.map((a) => a.level)).toEqual(["ticket", "budget"]);
    expect(report.alerts[1]?.text).toBe("latency p95 ≤ 300ms: the error budget is spent (90% over 1d)");
  });

  it("reads percentiles within 2.5 %, keeps incidents from transitions, and compacts old days", () => {
    const history = emptyHistory();
    for (const ms of [12, 47, 95, 230, 980, 4_100])
      addResult(
        history,
        { name: "web", status: "up", durationMs: ms, startedAt: "2026-11-20T10:00:00Z" },
        MIN,
      );
    const day = history.days["2026-11-20"]?.web;
    for (const [q, exact] of [
      [0.5, 95],
      [1, 4_100],
    ] as const)
      expect(Math.abs((percentile(day?.latency ?? {}, q) as number) - exact) / exact).toBeLessThanOrEqual(
        0.025,
      );
    const base = {
      check: "web",
      kind: "http",
      target: "t",
      status: "down" as const,
      severity: "critical" as const,
      since: "2026-11-20T10:00:00Z",
      failures: 2,
      labels: {},
      location: "local",
      dedupKey: "k",
    };
    addTransitions(history, [
      { ...base, type: "FIRING", reason: "status 503, expected 2xx", at: "2026-11-20T10:02:00Z" },
      { ...base, type: "REMINDER", reason: "status 502, expected 2xx", at: "2026-11-20T14:02:00Z" },
      { ...base, type: "RESOLVED", status: "up", reason: "200 OK", at: "2026-11-20T15:00:00Z" },
    ]);
    expect(history.incidents).toEqual([
      {
        check: "web",
        id: "2026-11-20T10:00:00Z",
        severity: "critical",
        reason: "status 502, expected 2xx",
        firedAt: "2026-11-20T10:02:00Z",
        resolvedAt: "2026-11-20T15:00:00Z",
        notifications: 3,
      },
    ]);
    compact(history, Date.parse("2026-11-30T00:00:00Z"));
    expect(history.days["2026-11-20"]?.web?.slots).toBeUndefined();
    expect(history.days["2026-11-20"]?.web?.runs).toBe(6);
    compact(history, Date.parse("2028-01-01T00:00:00Z"));
    expect(history).toEqual({ days: {}, incidents: [], latest: {} });
  });
});
