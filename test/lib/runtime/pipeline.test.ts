/** The one run pipeline: budgets from one deadline, stages isolated, nothing thrown past it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import { MemoryStore, type StateStore } from "../../../lib/alerting/stores/store.js";
import { lazySink, runPipeline } from "../../../lib/runtime/pipeline.js";
import type { Sink, SinkReport } from "../../../lib/sinks/sink.js";
import { RecordingNotifier } from "../../support/alerting.js";
import { check } from "../../support/checks.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

let web: Target;
beforeAll(async () => {
  web = await httpTarget(routes);
});
afterAll(() => web?.close());

const failing = () => check({ name: "api", alert: { failAfter: 1 }, http: { url: `${web.url}/fail` } });
const alerter = (notifier = new RecordingNotifier(), store: StateStore = new MemoryStore()) =>
  new Alerter({ store, notifier, location: "test" });

/** A sink that answers only when the run's signal aborts it, and says so. */
function hangingSink(): Sink {
  return {
    name: "hanging",
    write: (_results, context) =>
      new Promise<SinkReport>((resolve) => {
        const started = performance.now();
        context.signal?.addEventListener("abort", () =>
          resolve({
            sink: "hanging",
            ok: false,
            samples: 1,
            failedSamples: 1,
            requests: 1,
            retries: 0,
            durationMs: performance.now() - started,
            error: "aborted by the run",
          }),
        );
      }),
  };
}

const okSink = (written: string[]): Sink => ({
  name: "recording",
  write: async (results) => {
    written.push(...results.map((r) => r.name));
    return {
      sink: "recording",
      ok: true,
      samples: results.length,
      failedSamples: 0,
      requests: 1,
      retries: 0,
      durationMs: 0,
    };
  },
});

describe("run pipeline", () => {
  it("fails a sink that cannot be built alone, naming the AWS error; other sinks and alerting go on", async () => {
    const written: string[] = [];
    const notifier = new RecordingNotifier();
    const denied = Object.assign(
      new Error("User is not authorized to perform secretsmanager:GetSecretValue"),
      {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      },
    );
    const summary = await runPipeline({
      checks: [failing()],
      deadline: Date.now() + 20_000,
      location: "test",
      sinks: [
        lazySink("remote-write https://prom.example/api/v1/write", async () => {
          throw denied;
        }),
        lazySink("recording", () => okSink(written)),
      ],
      alerter: alerter(notifier),
    });
    expect(summary.sinks).toEqual([
      expect.objectContaining({
        sink: "remote-write https://prom.example/api/v1/write",
        ok: false,
        error:
          "could not be built: AccessDeniedException (HTTP 400): User is not authorized to perform secretsmanager:GetSecretValue",
      }),
      expect.objectContaining({ sink: "recording", ok: true }),
    ]);
    expect(written).toEqual(["api"]);
    expect(notifier.log()).toEqual(["FIRING api"]);
    expect(summary.stages.map((s) => [s.stage, s.ok])).toEqual([
      ["probes", true],
      ["sinks", false],
      ["alerting", true],
    ]);
  });

  it("builds a failed sink again on the next run, and keeps one that was built", async () => {
    let builds = 0;
    const source = lazySink("flaky", async () => {
      builds++;
      if (builds === 1) throw new Error("throttled");
      return okSink([]);
    });
    await expect(source.get()).rejects.toThrow("throttled");
    const first = await source.get();
    expect(await source.get()).toBe(first);
    expect(builds).toBe(2);
  });

  it("never starves alerting: the page goes out while a sink hangs, and the sink is cut at the deadline", async () => {
    const notifier = new RecordingNotifier();
    let pagedAt = 0;
    const timed = new (class extends RecordingNotifier {
      override async send(notifications: Parameters<RecordingNotifier["send"]>[0]) {
        pagedAt = Date.now();
        return notifier.send(notifications);
      }
    })();
    const started = Date.now();
    const deadline = started + 4_000;
    const summary = await runPipeline({
      checks: [failing()],
      deadline,
      location: "test",
      sinks: [lazySink("hanging", hangingSink)],
      alerter: alerter(timed),
    });
    expect(notifier.log()).toEqual(["FIRING api"]);
    // The page did not wait for the hanging sink, which was cut only at the deadline.
    expect(pagedAt).toBeLessThan(deadline - 1_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 500);
    expect(summary.sinks[0]).toMatchObject({ ok: false, error: "aborted by the run" });
    expect(summary.stages.find((s) => s.stage === "alerting")).toMatchObject({ ok: true });
  });

  it("cuts an alerting stage that hangs at the deadline and says so; the results are still there", async () => {
    const never: StateStore = {
      name: "never",
      getMany: () => new Promise(() => {}),
      put: () => new Promise(() => {}),
    };
    const summary = await runPipeline({
      checks: [failing()],
      deadline: Date.now() + 3_000,
      location: "test",
      sinks: [],
      alerter: alerter(new RecordingNotifier(), never),
    });
    expect(summary.counts.down).toBe(1);
    expect(summary.stages.find((s) => s.stage === "alerting")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/did not finish before the run's deadline/),
    });
    expect(summary.alerts?.errors).toEqual([
      expect.stringMatching(/did not finish before the run's deadline/),
    ]);
  });

  it("skips the checks the run had no time for, counts them, and never alerts on them", async () => {
    const notifier = new RecordingNotifier();
    const checks = Array.from({ length: 3 }, (_, i) =>
      check({ name: `hang-${i}`, timeout: "10s", alert: { failAfter: 1 }, http: { url: `${web.url}/hang` } }),
    );
    const summary = await runPipeline({
      checks,
      deadline: Date.now() + 3_000,
      location: "test",
      concurrency: 1,
      sinks: [],
      alerter: alerter(notifier),
    });
    expect(summary.counts).toMatchObject({ skipped: 3, down: 0 });
    expect(summary.stages[0]).toMatchObject({
      stage: "probes",
      ok: false,
      error: "3 checks skipped: no time left in the run",
    });
    expect(notifier.attempts).toEqual([]);
  });

  it("stops when told (Ctrl-C): checks in flight are cut and skipped, and the run returns at once", async () => {
    const stop = new AbortController();
    const checks = [check({ name: "hang", timeout: "20s", http: { url: `${web.url}/hang` } })];
    setTimeout(() => stop.abort(), 200);
    const started = Date.now();
    const summary = await runPipeline({
      checks,
      deadline: Date.now() + 60_000,
      signal: stop.signal,
      location: "test",
      sinks: [],
      alerter: alerter(),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary.results[0]).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/^cut: the run was stopped while/),
    });
  });
});

it("warns about no listener leak with many checks in flight: each listens to the run's signal by design", async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on("warning", onWarning);
  try {
    await runPipeline({
      checks: Array.from({ length: 30 }, (_, i) =>
        check({ name: `slow-${i}`, http: { url: `${web.url}/slow-headers?ms=100` } }),
      ),
      deadline: Date.now() + 20_000,
      location: "test",
      sinks: [],
    });
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  expect(warnings).not.toContain("MaxListenersExceededWarning");
});

describe("history and objectives in the pipeline", () => {
  it("still confirms a failure in a run that evaluates objectives, and keeps the run and the incident", async () => {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { FileHistory } = await import("../../../lib/history/store-file.js");
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-pipeline-history-"));
    const history = new FileHistory(path.join(dir, "state.history"));
    const spec = check({
      name: "api",
      alert: { failAfter: 2, confirmAfter: "50ms" },
      slo: { availability: "99%" },
      http: { url: `${web.url}/fail` },
    });
    const notifier = new RecordingNotifier();
    const summary = await runPipeline({
      checks: [spec],
      deadline: Date.now() + 20_000,
      sinks: [],
      alerter: alerter(notifier),
      history,
      location: "test",
      confirm: true,
    });
    // The objective's companion was decided too, yet the check's pending failure was re-probed.
    expect(summary.confirmations.map((r) => r.name)).toEqual(["api"]);
    expect(summary.stages.map((s) => [s.stage, s.ok])).toEqual([
      ["probes", true],
      ["sinks", true],
      ["alerting", true],
      ["history", true],
    ]);
    expect(notifier.delivered.map((n) => n.subject).sort()).toEqual([
      expect.stringMatching(/^\[CRITICAL\] api is DOWN/),
      expect.stringMatching(/^\[CRITICAL\] api\/slo is DOWN/),
    ]);
    const kept = await history.read({ fromDay: "2000-01-01", toDay: "2999-12-31" });
    // The confirmation is the same interval's run: one run counted, one incident from its FIRING.
    expect(Object.values(kept.days).map((d) => d.api?.runs)).toEqual([1]);
    expect(kept.incidents).toEqual([expect.objectContaining({ check: "api", notifications: 1 })]);
  });
});
