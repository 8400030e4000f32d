/**
 * A run is a straight line: it enters each stage once, in order, and never returns to one it left.
 * Recorded for a run with every stage in it (a quorum, a confirmation re-probe, history with an
 * objective, a status page): the order the stages start and finish, and where each read, write,
 * sink call and notification falls among them.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import { MemoryStore } from "../../../lib/alerting/stores/store.js";
import type { HistoryStore } from "../../../lib/history/store.js";
import { FileHistory } from "../../../lib/history/store-file.js";
import { MemoryRunRecords, type RunRecords } from "../../../lib/runtime/freshness.js";
import { lazySink, runPipeline } from "../../../lib/runtime/pipeline.js";
import { quorumSource } from "../../../lib/runtime/quorum.js";
import type { PipelineStage } from "../../../lib/runtime/stages/stage.js";
import type { SinkReport } from "../../../lib/sinks/sink.js";
import { RecordingNotifier, resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

let web: Target;
beforeAll(async () => {
  web = await httpTarget(routes);
});
afterAll(() => web?.close());

const STAGES: PipelineStage[] = ["probe", "sinks", "decide", "deliver", "history", "derived"];

/** One run with every stage, recording stage boundaries and every outside call in one list. */
async function recordedRun() {
  const events: string[] = [];
  const log = (event: string) => events.push(event);
  const checks = [
    check({
      name: "api",
      // One location's fresh verdict is a quorum: the home's re-probe alone decides.
      alert: { failAfter: 2, confirmAfter: "50ms", quorum: 1 },
      slo: { availability: "99%" },
      http: { url: `${web.url}/fail` },
    }),
    check({ name: "web", http: { url: `${web.url}/ok` } }),
  ];
  // The other location reported a moment ago: api down there too, web up.
  const stored = new MemoryRunRecords();
  await stored.put({
    location: "us",
    shard: "local",
    intervalMs: 60_000,
    at: Date.now() - 5_000,
    results: [
      { ...resultFor("api", "down"), startedAt: new Date(Date.now() - 5_000).toISOString() },
      { ...resultFor("web", "up"), startedAt: new Date(Date.now() - 5_000).toISOString() },
    ],
  });
  const records: RunRecords = {
    name: stored.name,
    put: (record) => stored.put(record),
    getMany: (location, shards) => stored.getMany(location, shards),
    getAt: (locations, shard) => {
      log("read the other locations' reports");
      return stored.getAt(locations, shard);
    },
  };
  const kept = new FileHistory(path.join(await mkdtemp(path.join(tmpdir(), "watchpost-order-")), "history"));
  const history: HistoryStore = {
    name: kept.name,
    read: (range) => {
      log("read history");
      return kept.read(range);
    },
    record: (batch) => {
      log(`record history (${batch.entries.length} results)`);
      return kept.record(batch);
    },
  };
  const notifier = new (class extends RecordingNotifier {
    override async send(notifications: Parameters<RecordingNotifier["send"]>[0]) {
      log(`notify ${notifications.map((n) => n.transitions.map((t) => `${t.type} ${t.check}`)).join(", ")}`);
      return super.send(notifications);
    }
  })();
  const summary = await runPipeline({
    checks,
    deadline: Date.now() + 20_000,
    location: "eu",
    sinks: [
      lazySink("recording", () => ({
        name: "recording",
        write: async (results): Promise<SinkReport> => {
          log(`write sink (${results.map((r) => r.name).join(", ")})`);
          return {
            sink: "recording",
            ok: true,
            samples: 0,
            failedSamples: 0,
            requests: 1,
            retries: 0,
            durationMs: 0,
          };
        },
      })),
    ],
    alerter: new Alerter({ store: new MemoryStore(), notifier, location: "eu" }),
    quorum: quorumSource({ records, shard: "local", home: "eu", locations: ["eu", "us"], checks }),
    history,
    statusPage: {
      publish: async () => {
        log("publish status page");
        const page = await kept.read({ fromDay: "2000-01-01", toDay: "2999-12-31" });
        return Object.keys(page.latest ?? {});
      },
    },
    confirm: true,
    trace: (stage, phase) => log(`${stage} ${phase}`),
  });
  return { events, summary, notifier };
}

describe("the order of a run's stages", () => {
  it("enters each stage once, in order, never returns to one it left, and calls out only from the stage that owns the call", async () => {
    const { events, summary, notifier } = await recordedRun();
    // The run did what a run with all stages does: a confirmation re-probe fired api on its second
    // failure (the home's fresh verdict; the other location's report counted once), its objective
    // paged, history and the page were written.
    expect(summary.confirmations.map((r) => r.name)).toEqual(["api"]);
    expect(notifier.log().sort()).toEqual(["FIRING api", "FIRING api/slo"]);
    expect(summary.stages.map((s) => [s.stage, s.ok])).toEqual([
      ["probes", true],
      ["sinks", true],
      ["alerting", true],
      ["history", true],
      ["status page", true],
    ]);

    const at = (event: string) => {
      const index = events.indexOf(event);
      expect(index, `"${event}" in ${JSON.stringify(events, null, 1)}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    for (const stage of STAGES) {
      expect(events.filter((e) => e === `${stage} start`)).toHaveLength(1);
      expect(events.filter((e) => e === `${stage} finish`)).toHaveLength(1);
      expect(at(`${stage} start`)).toBeLessThan(at(`${stage} finish`));
    }
    // probe ─► { sinks ∥ decide ─► { deliver ∥ history } } ─► derived
    const precedes = (a: string, b: string) => expect(at(a), `${a} before ${b}`).toBeLessThan(at(b));
    precedes("probe finish", "sinks start");
    precedes("probe finish", "decide start");
    precedes("decide start", "deliver start");
    precedes("decide start", "history start");
    for (const stage of ["sinks", "decide", "deliver", "history"])
      precedes(`${stage} finish`, "derived start");
    expect(events.at(-1)).toBe("derived finish");

    /** Every event starting with `prefix` falls inside `stage`, and there are `count` of them. */
    const inside = (prefix: string, stage: PipelineStage, count: number) => {
      const found = events.flatMap((e, i) => (e.startsWith(prefix) ? [i] : []));
      expect(found, `${prefix} × ${count}`).toHaveLength(count);
      for (const i of found) {
        expect(i, `${events[i]} after ${stage} start`).toBeGreaterThan(at(`${stage} start`));
        expect(i, `${events[i]} before ${stage} finish`).toBeLessThan(at(`${stage} finish`));
      }
      return found;
    };
    // What decide needs from outside it reads once, at its start, before anything is delivered:
    // the other locations' reports, and the history earlier runs wrote (never this run's).
    const [reportsRead] = inside("read the other locations' reports", "decide", 1);
    const [historyRead] = inside("read history", "decide", 1);
    const notified = inside("notify", "deliver", 2);
    expect(Math.max(reportsRead as number, historyRead as number)).toBeLessThan(Math.min(...notified));
    const recorded = inside("record history", "history", 2);
    expect(historyRead).toBeLessThan(Math.min(...recorded));
    // The run's results and the confirmation round's both reach the sinks; history counts the run
    // once (the round is the same interval's run again).
    inside("write sink", "sinks", 2);
    expect(events.filter((e) => e.startsWith("write sink"))).toEqual([
      "write sink (api, web)",
      "write sink (api)",
    ]);
    expect(events.filter((e) => e.startsWith("record history"))).toEqual([
      "record history (2 results)",
      "record history (0 results)",
    ]);
    inside("publish status page", "derived", 1);
  });
});
