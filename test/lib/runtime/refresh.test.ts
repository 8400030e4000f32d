/**
 * Slow checks stay visible between runs: their latest samples are re-sent, stamped at sending, until
 * shortly before the next run (lib/runtime/freshness.ts). Against a stock Prometheus: an hourly
 * check is still there for an instant query ten minutes after its run, and without the re-sending
 * it is not.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../lib/engine.js";
import type { CheckResult } from "../../../lib/result.js";
import {
  MemoryRunRecords,
  REFRESH_STOP_BEFORE_MS,
  type RunRecord,
  refreshable,
} from "../../../lib/runtime/freshness.js";
import { lazySink } from "../../../lib/runtime/pipeline.js";
import { runRefresh } from "../../../lib/runtime/refresh.js";
import { RunRecordSink } from "../../../lib/runtime/run-record-sink.js";
import { DynamoDbRunRecords } from "../../../lib/runtime/run-records-dynamodb.js";
import { RemoteWriteSink } from "../../../lib/sinks/remote-write/index.js";
import { resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";
import { type Peer, peerAvailable, startPrometheus } from "../../support/peers.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe("what is re-sent, and when", () => {
  const backup: CheckResult = {
    ...resultFor("nightly", "up"),
    kind: "backup",
    facts: { backup: { identifier: "b", newestAt: "2026-11-22T00:00:00Z", ageSeconds: 3_600 } },
  };
  const record: RunRecord = {
    location: "local",
    shard: "1h-0",
    intervalMs: HOUR,
    at: 1_000_000_000_000,
    results: [backup],
  };

  it("nothing in the run's first minute: its own samples are fresh", () => {
    expect(refreshable(record, record.at + 30_000)).toEqual([]);
  });

  it("the latest results until shortly before the next run, a backup's age grown by the time since", () => {
    const [aged] = refreshable(record, record.at + 10 * MINUTE);
    expect(aged?.facts?.backup?.ageSeconds).toBe(3_600 + 600);
    expect(refreshable(record, record.at + HOUR - REFRESH_STOP_BEFORE_MS - 1)).toHaveLength(1);
  });

  it("nothing once the next run is close or overdue: the run's own samples must be the newest", () => {
    expect(refreshable(record, record.at + HOUR - REFRESH_STOP_BEFORE_MS)).toEqual([]);
    expect(refreshable(record, record.at + 3 * HOUR)).toEqual([]);
  });
});

describe("run records in the state table (dynalite)", () => {
  let dynamo: LocalDynamoDb;
  beforeAll(async () => {
    dynamo = await localDynamoDb();
  });
  afterAll(() => dynamo.close());

  it("keep a shard's latest results per check, a confirmation's replacing the first", async () => {
    const records = new DynamoDbRunRecords({ client: dynamo.client, tableName: await dynamo.freshTable() });
    const sink = new RunRecordSink(records, { id: "1h-0", intervalMs: HOUR });
    const context = { deadline: Date.now() + 5_000, runStartedAt: 1_000, location: "local" };
    const first = await sink.write([resultFor("a", "down"), resultFor("b", "up")], context);
    expect(first).toMatchObject({ ok: true, samples: 2 });
    await sink.write([resultFor("a", "up")], { ...context, runStartedAt: 21_000 });
    const [stored] = await records.getMany("local", ["1h-0", "15m-0"]);
    expect(stored?.at).toBe(1_000);
    expect(stored?.results.map((r) => [r.name, r.status])).toEqual([
      ["a", "up"],
      ["b", "up"],
    ]);
  });

  it("say so in the sink's report when the table cannot be written", async () => {
    const records = new DynamoDbRunRecords({ client: dynamo.client, tableName: "no-such-table" });
    const report = await new RunRecordSink(records, { id: "1h-0", intervalMs: HOUR }).write(
      [resultFor("a", "up")],
      { deadline: Date.now() + 5_000, runStartedAt: 1_000, location: "local" },
    );
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/^ResourceNotFoundException \(HTTP 400\): Requested resource not found/);
  });
});

const available = peerAvailable("prometheus", "prometheus");

describe.skipIf(!available)("an hourly check in Prometheus", () => {
  let prometheus: Peer;
  let web: Target;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "watchpost-refresh-"));
    prometheus = await startPrometheus(dir);
    web = await httpTarget(routes);
  }, 90_000);

  afterAll(async () => {
    await web?.close();
    await prometheus?.stop();
  });

  async function instant(expr: string, atMs: number): Promise<Record<string, string>[]> {
    const response = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${atMs / 1000}`,
    );
    const body = (await response.json()) as { data: { result: { metric: Record<string, string> }[] } };
    return body.data.result.map((r) => r.metric);
  }

  it("is visible to an instant query at any moment of the ten minutes after its run, and only so", async () => {
    const sink = new RemoteWriteSink({ url: `${prometheus.url}/api/v1/write` });
    const specs = ["hourly", "hourly-unrefreshed"].map((name) =>
      check({ name, interval: "1h", http: { url: `${web.url}/ok` } }),
    );
    const results = await runChecks(specs);
    expect(results.map((r) => r.status)).toEqual(["up", "up"]);
    // The run happened ten minutes ago (Prometheus takes samples that old into a fresh head).
    const now = Date.now();
    const ranAt = now - 10 * MINUTE;
    const shard = { id: "1h-0", intervalMs: HOUR };
    const records = new MemoryRunRecords();
    const recordSink = new RunRecordSink(records, shard);
    const context = { deadline: Date.now() + 10_000, runStartedAt: ranAt, location: "local", shard };
    expect((await sink.write(results, context)).ok).toBe(true);
    await recordSink.write(results.slice(0, 1), context);
    // The probe function's refresh schedule, every two minutes since.
    const deps = {
      checks: { shards: { "1h-0": specs } },
      records,
      sinks: [lazySink(sink.name, () => sink)],
      location: "local",
    };
    for (let at = ranAt + 2 * MINUTE; at <= now; at += 2 * MINUTE) {
      const summary = await runRefresh(deps, Date.now() + 10_000, undefined, at);
      expect(summary, `refresh at +${(at - ranAt) / MINUTE}m`).toMatchObject({ shards: 1, results: 1 });
      expect(summary.sinks[0]?.ok, summary.sinks[0]?.error).toBe(true);
    }
    await sink.close();
    for (let minutes = 0; minutes <= 10; minutes++) {
      const at = ranAt + minutes * MINUTE;
      const seen = await instant('probe_success{check=~"hourly.*"}', at);
      const checks = seen.map((m) => m.check).sort();
      // The unrefreshed one is gone once its sample is older than the five-minute lookback.
      expect(checks, `+${minutes}m`).toEqual(minutes <= 5 ? ["hourly", "hourly-unrefreshed"] : ["hourly"]);
      expect(
        await instant('watchpost_last_run_timestamp_seconds{shard="1h-0"}', at),
        `+${minutes}m`,
      ).toHaveLength(1);
    }
    const [heartbeat] = await instant("watchpost_last_run_timestamp_seconds", now);
    expect(heartbeat).toMatchObject({ job: "watchpost", location: "local", shard: "1h-0" });
  });
});
