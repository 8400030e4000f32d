import { describe, expect, it } from "vitest";
import {
  applyPing,
  emptyRecord,
  type HeartbeatRecord,
  logTail,
  type Ping,
} from "../../../lib/heartbeat/record.js";
import { heartbeatVerdict, humanBytes } from "../../../lib/heartbeat/verdict.js";
import { heartbeatConfig } from "../../../lib/probes/config/heartbeat.js";

const H = 3_600_000;
const M = 60_000;
const T0 = Date.parse("2026-11-20T03:00:00Z");
const config = (raw: Record<string, unknown>) => heartbeatConfig.parse(raw);
const pings = (...list: Ping[]): HeartbeatRecord =>
  list.reduce<HeartbeatRecord>((record, ping) => applyPing(record, ping), emptyRecord(T0));
const failed = (cfg: Record<string, unknown>, record: HeartbeatRecord, now: number) =>
  heartbeatVerdict(config(cfg), record, now)
    .conditions.filter((c) => !c.ok)
    .map((c) => c.text);

describe("heartbeat verdicts", () => {
  it("is late after every + grace without a finished run, counting from set-up when never pinged", () => {
    const daily = { every: "1d", grace: "30m" };
    const record = pings({ kind: "success", at: T0 });
    expect(failed(daily, record, T0 + 24 * H + 29 * M)).toEqual([]);
    expect(failed(daily, record, T0 + 26 * H)).toEqual(["no ping for 26h, expected every 1d (+30m grace)"]);
    expect(failed(daily, emptyRecord(T0), T0 + 3 * 24 * H)).toEqual([
      "no ping since the check was set up 3d0h ago, expected every 1d (+30m grace)",
    ]);
    const waiting = heartbeatVerdict(config(daily), emptyRecord(T0), T0 + H);
    expect(waiting.conditions.every((c) => c.ok)).toBe(true);
    expect(waiting.summary).toBe("no ping yet; due within 23h");
  });

  it("reads a cron schedule in its time zone: the run due at 03:00 Berlin must ping by 03:30", () => {
    const nightly = { cron: "0 3 * * *", timezone: "Europe/Berlin", grace: "30m" };
    // 03:00 Berlin on 2026-11-21 is 02:00 UTC.
    const ran = pings({ kind: "success", at: Date.parse("2026-11-20T02:10:00Z") });
    expect(failed(nightly, ran, Date.parse("2026-11-21T02:29:00Z"))).toEqual([]);
    expect(failed(nightly, ran, Date.parse("2026-11-21T02:31:00Z"))).toEqual([
      "no ping for 24h, due at 2026-11-21 03:00 Europe/Berlin, expected on cron 0 3 * * * (Europe/Berlin) (+30m grace)",
    ]);
    // A ping a few seconds before the due time counts for it (clocks differ).
    const early = pings({ kind: "success", at: Date.parse("2026-11-21T01:59:30Z") });
    expect(failed(nightly, early, Date.parse("2026-11-21T03:00:00Z"))).toEqual([]);
  });

  it("quotes a failure's exit code and last log line until a success", () => {
    const cfg = { every: "1d" };
    const record = pings(
      { kind: "start", at: T0 },
      { kind: "fail", at: T0 + M, exitCode: 2, body: "dumping\nmysqldump: Got error: 1045 Access denied\n" },
    );
    expect(failed(cfg, record, T0 + 2 * M)).toEqual([
      "job reported failure (exit 2): mysqldump: Got error: 1045 Access denied",
    ]);
    const verdict = heartbeatVerdict(config(cfg), record, T0 + 2 * M);
    expect(verdict.facts?.heartbeat).toMatchObject({ exitCode: 2, durationSeconds: 60, pings: 2 });
    expect(verdict.facts?.heartbeat?.log).toBe("dumping\nmysqldump: Got error: 1045 Access denied");
    expect(failed(cfg, applyPing(record, { kind: "success", at: T0 + 3 * M }), T0 + 4 * M)).toEqual([]);
  });

  it("is down for a run too short, too long, too small, with no size, or still running past its maximum", () => {
    const cfg = { every: "1d", expect: { minDuration: "5m", maxDuration: "1h", minSize: "1MiB" } };
    const short = pings({ kind: "start", at: T0 }, { kind: "success", at: T0 + 8_000, size: 0 });
    expect(failed(cfg, short, T0 + M)).toEqual([
      "ran for 8s, expected at least 5m",
      "produced 0 B, expected at least 1 MiB",
    ]);
    const long = pings({ kind: "start", at: T0 }, { kind: "success", at: T0 + 2 * H, size: 5 * 1_048_576 });
    expect(failed(cfg, long, T0 + 2 * H)).toEqual(["ran for 2h, expected at most 1h"]);
    const noSize = pings({ kind: "start", at: T0 }, { kind: "success", at: T0 + 10 * M });
    expect(failed(cfg, noSize, T0 + 11 * M)).toEqual([
      "reported no size, expected at least 1 MiB (ping with size=BYTES)",
    ]);
    const running = pings({ kind: "start", at: T0 });
    expect(failed(cfg, running, T0 + 30 * M)).toEqual([]);
    expect(heartbeatVerdict(config(cfg), running, T0 + 30 * M).summary).toBe("running: started 30m ago");
    expect(failed(cfg, running, T0 + 3 * H)).toEqual(["started 3h ago and has not finished (max 1h)"]);
  });

  it("is down while successes closer than minInterval are within the last period", () => {
    const cfg = { every: "1d" };
    const thrice = pings(
      { kind: "success", at: T0 },
      { kind: "success", at: T0 + 5 * M },
      { kind: "success", at: T0 + 10 * M },
    );
    expect(failed(cfg, thrice, T0 + 11 * M)).toEqual(["pinged 3 times in 10m, expected every 1d"]);
    expect(failed(cfg, thrice, T0 + 24 * H + 5 * M + 1)).toEqual([]);
    expect(failed({ ...cfg, expect: { minInterval: "0s" } }, thrice, T0 + 11 * M)).toEqual([]);
  });

  it("keeps the last 4 KiB of a log on a character boundary, and sizes read at a glance", () => {
    const tail = logTail(`${"é".repeat(3_000)}end\n`);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4_096);
    expect(tail.endsWith("end")).toBe(true);
    expect(tail.startsWith("é")).toBe(true);
    expect([0, 812 * 1024, 1_258_291, 3 * 1_073_741_824].map(humanBytes)).toEqual([
      "0 B",
      "812 KiB",
      "1.2 MiB",
      "3 GiB",
    ]);
  });

  it("refuses a schedule that is not exactly one of every and cron", () => {
    expect(heartbeatConfig.safeParse({ grace: "5m" }).error?.issues[0]?.message).toBe(
      "exactly one of every and cron, found none",
    );
    expect(heartbeatConfig.safeParse({ every: "1d", timezone: "UTC" }).error?.issues[0]?.message).toBe(
      "a timezone only together with cron",
    );
  });
});
