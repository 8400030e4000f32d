import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../../lib/result.js";
import { MemoryRunRecords } from "../../../lib/runtime/freshness.js";
import { decide, quorumSource, REPORT_SLACK_MS } from "../../../lib/runtime/quorum.js";
import { resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";

const api = check({ name: "api", http: { url: "https://api.example.com/health" } });
const LOCATIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"];
const NOW = Date.parse("2026-11-23T10:00:00Z");

const seen = (status: CheckResult["status"], reason: string, at = NOW - 10_000): CheckResult => ({
  ...resultFor("api", status),
  reason,
  startedAt: new Date(at).toISOString(),
});

/** What eu-west-1, us-east-1 and ap-southeast-2 saw, in that order, decided with none silent. */
const fromAll = (...saw: [CheckResult["status"], string][]) =>
  decide(
    api,
    saw.map(([status, reason], i) => ({ location: LOCATIONS[i] as string, result: seen(status, reason) })),
    LOCATIONS,
    [],
    NOW,
  );

describe("decide", () => {
  it("is down when a majority of the locations that reported saw it down, and says who saw what", () => {
    const result = fromAll(
      ["down", "status 503, expected 200"],
      ["down", "timed out after 10s"],
      ["up", "200 OK"],
    );
    expect(result.status).toBe("down");
    expect(result.reason).toBe(
      "down from 2 of 3 locations: eu-west-1 (status 503, expected 200), us-east-1 (timed out after 10s); up from ap-southeast-2 (200 OK)",
    );
    expect(result.locations?.map((l) => [l.location, l.status])).toEqual([
      ["eu-west-1", "down"],
      ["us-east-1", "down"],
      ["ap-southeast-2", "up"],
    ]);
  });

  it("stays up when one location of three sees it down: a broken path is not an outage", () => {
    const result = fromAll(["up", "200 OK"], ["down", "connection refused"], ["up", "200 OK"]);
    expect(result).toMatchObject({
      status: "up",
      reason: "up from 2 of 3 locations; down from us-east-1 (connection refused)",
    });
  });

  it("counts a silent location neither up nor down, and is unknown when too few reported for the quorum", () => {
    const quorum2 = { ...api, alert: { ...api.alert, quorum: 2 } };
    const one = decide(
      quorum2,
      [{ location: "eu-west-1", result: seen("down", "status 503") }],
      LOCATIONS,
      ["us-east-1", "ap-southeast-2"],
      NOW,
    );
    expect(one).toMatchObject({
      status: "unknown",
      reason:
        "only 1 of 3 locations reported, 2 needed for a verdict; no report from us-east-1 and ap-southeast-2",
    });
    // The default quorum is a majority of those that reported: two silent, one down decides.
    const byDefault = decide(
      api,
      [{ location: "eu-west-1", result: seen("down", "status 503") }],
      LOCATIONS,
      ["us-east-1", "ap-southeast-2"],
      NOW,
    );
    expect(byDefault.status).toBe("down");
    const nobody = decide(api, [], LOCATIONS, LOCATIONS, NOW);
    expect(nobody).toMatchObject({
      status: "unknown",
      reason: "no location reported (expected eu-west-1, us-east-1 and ap-southeast-2)",
    });
  });

  it("is degraded when a quorum saw it degraded or down, but not down", () => {
    const result = fromAll(
      ["degraded", "took 900ms, expected at most 300ms"],
      ["down", "status 503"],
      ["up", "200 OK"],
    );
    expect(result).toMatchObject({
      status: "degraded",
      reason:
        "degraded or down from 2 of 3 locations: eu-west-1 (took 900ms, expected at most 300ms), us-east-1 (status 503); up from ap-southeast-2 (200 OK)",
    });
  });
});

describe("the home's quorum", () => {
  it("joins the home's results with the others' fresh reports and names the locations gone silent", async () => {
    const records = new MemoryRunRecords();
    const fresh = NOW - 30_000;
    await records.put({
      location: "us-east-1",
      shard: "1m-0",
      intervalMs: 60_000,
      at: fresh,
      results: [seen("down", "status 503", fresh)],
    });
    // A report older than the interval and a schedule's slack is no report.
    const stale = NOW - 60_000 - REPORT_SLACK_MS - 1_000;
    await records.put({
      location: "ap-southeast-2",
      shard: "1m-0",
      intervalMs: 60_000,
      at: stale,
      results: [seen("up", "200 OK", stale)],
    });
    const source = quorumSource({
      records,
      shard: "1m-0",
      home: "eu-west-1",
      locations: LOCATIONS,
      checks: [api],
    });
    const reports = await source.reports(AbortSignal.timeout(5_000));
    const round = reports.join([seen("down", "status 503", NOW - 5_000)], [api], NOW);
    expect(round.results.map((r) => [r.name, r.status, r.reason])).toEqual([
      [
        "api",
        "down",
        "down from 2 of 3 locations: eu-west-1 (status 503), us-east-1 (status 503); no report from ap-southeast-2",
      ],
    ]);
    expect(round.silent).toEqual([{ location: "ap-southeast-2", lastReportAt: stale }]);
  });

  it("decides a check the home does not run from the locations that do", async () => {
    const records = new MemoryRunRecords();
    const elsewhere = { ...api, locations: ["us-east-1", "ap-southeast-2"] };
    for (const location of ["us-east-1", "ap-southeast-2"])
      await records.put({
        location,
        shard: "1m-0",
        intervalMs: 60_000,
        at: NOW,
        results: [seen("down", "status 500")],
      });
    const source = quorumSource({
      records,
      shard: "1m-0",
      home: "eu-west-1",
      locations: LOCATIONS,
      checks: [elsewhere],
    });
    const round = (await source.reports(AbortSignal.timeout(5_000))).join([], [elsewhere], NOW);
    expect(round.results[0]).toMatchObject({
      status: "down",
      reason: expect.stringMatching(/^down from 2 of 2 locations/),
    });
    expect(round.silent).toEqual([]);
  });
});

describe("each location's report counts in one decision", () => {
  it("does not fire failAfter: 2 on one round of three locations, however often the home re-probes", async () => {
    const { Alerter } = await import("../../../lib/alerting/alerter.js");
    const { MemoryStore } = await import("../../../lib/alerting/stores/store.js");
    const { RecordingNotifier } = await import("../../support/alerting.js");
    const spec = check({
      name: "api",
      alert: { failAfter: 2 },
      http: { url: "https://api.example.com/health" },
    });
    const records = new MemoryRunRecords();
    const report = async (at: number) => {
      for (const location of ["us-east-1", "ap-southeast-2"])
        await records.put({
          location,
          shard: "1m-0",
          intervalMs: 60_000,
          at,
          results: [seen("down", "status 503", at)],
        });
    };
    const source = quorumSource({
      records,
      shard: "1m-0",
      home: "eu-west-1",
      locations: LOCATIONS,
      checks: [spec],
    });
    const notifier = new RecordingNotifier();
    const alerter = new Alerter({ store: new MemoryStore(), notifier, location: "eu-west-1" });
    /** The home probes at `at` and decides on its result joined with the reports as they are now. */
    const decideAt = async (at: number) => {
      const round = (await source.reports(AbortSignal.timeout(5_000))).join(
        [seen("down", "status 503", at)],
        [spec],
        at,
      );
      return alerter.process(round.results, [spec], { now: new Date(at) });
    };

    // The two other locations report one round; the home decides its run, then re-probes twice.
    await report(NOW - 10_000);
    expect((await decideAt(NOW)).pending).toEqual(["api"]);
    for (const reprobe of [NOW + 5_000, NOW + 10_000]) {
      const decided = await decideAt(reprobe);
      expect(decided.pending).toEqual([]);
    }
    // The next run reads the same reports again (the others have not written theirs yet).
    await decideAt(NOW + 60_000);
    expect(notifier.log()).toEqual([]);

    // A new round from the others: the second failure in a row fires.
    await report(NOW + 58_000);
    await decideAt(NOW + 61_000);
    expect(notifier.log()).toEqual(["FIRING api"]);
    expect(notifier.delivered[0]?.transitions[0]?.reason).toMatch(/^down from 3 of 3 locations/);
  });
});
