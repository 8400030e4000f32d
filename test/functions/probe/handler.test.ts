/**
 * End to end: the probe function's handler runs a shard of compiled checks against loopback targets,
 * with AWS clients injected (CloudWatch through aws-sdk-client-mock, alert state in memory).
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../../functions/probe/handler.js";
import { Alerter } from "../../../lib/alerting/alerter.js";
import { MemoryStore } from "../../../lib/alerting/stores/store.js";
import { defaultAwsClients } from "../../../lib/aws/clients.js";
import type { CheckSpec } from "../../../lib/checks/load.js";
import { envResolver } from "../../../lib/checks/references.js";
import { compile, cutShards } from "../../../lib/deploy/compile.js";
import { MemoryRunRecords, type RunRecord } from "../../../lib/runtime/freshness.js";
import { lazySink } from "../../../lib/runtime/pipeline.js";
import type { ShardDependencies, ShardSummary } from "../../../lib/runtime/shard.js";
import { CloudWatchSink } from "../../../lib/sinks/cloudwatch.js";
import { RecordingNotifier } from "../../support/alerting.js";
import { check } from "../../support/checks.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

const cloudwatch = mockClient(CloudWatchClient);
let web: Target;
afterAll(() => web?.close());
beforeAll(async () => {
  web = await httpTarget(routes);
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

function context(remainingMs: number): Context {
  return {
    functionName: "probe",
    awsRequestId: "req-1",
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}

/** A shard of `specs` with parts in memory: no sinks, no logging, alerts recorded. */
function shardDependencies(specs: CheckSpec[], extra: Partial<ShardDependencies> = {}): ShardDependencies {
  return {
    checks: compile(cutShards(specs, 200)),
    location: "eu-west-1",
    aws: defaultAwsClients(),
    resolvers: { env: envResolver },
    alerter: new Alerter({
      store: new MemoryStore(),
      notifier: new RecordingNotifier(),
      location: "eu-west-1",
    }),
    sinks: () => [],
    logResult: () => {},
    ...extra,
  };
}

describe("probe function handler", () => {
  it("runs a shard, logs each result, publishes metrics with a heartbeat, alerts, and confirms a failure in the same run", async () => {
    const specs = [
      check({ name: "api", http: { url: `${web.url}/ok` } }),
      check({ name: "broken", alert: { failAfter: 1 }, http: { url: `${web.url}/fail` } }),
      // failAfter 2: its first failure is confirmed by a re-probe a second later, which fires it.
      check({
        name: "hanging",
        timeout: "300ms",
        alert: { confirmAfter: "1s" },
        http: { url: `${web.url}/hang` },
      }),
    ];
    const notifier = new RecordingNotifier();
    const logged: string[] = [];
    const deps: ShardDependencies = {
      checks: compile(cutShards(specs, 200)),
      location: "eu-west-1",
      aws: defaultAwsClients(),
      resolvers: { env: envResolver },
      alerter: new Alerter({ store: new MemoryStore(), notifier, location: "eu-west-1" }),
      sinks: (shard) => [
        lazySink(
          "cloudwatch Watchpost",
          () =>
            new CloudWatchSink({
              client: new CloudWatchClient({ region: "eu-west-1" }),
              heartbeatInterval: `${shard.intervalMs / 60_000}m`,
            }),
        ),
      ],
      logResult: (result, { confirmation }) =>
        logged.push(`${result.name} ${result.status}${confirmation ? " (confirmation)" : ""}`),
    };
    const handler = createHandler(async () => deps);
    const summary = (await handler({ shard: "1m-0" }, context(30_000))) as ShardSummary;
    expect(summary).toMatchObject({
      shard: "1m-0",
      checks: 3,
      confirmations: 1,
      counts: { up: 1, down: 2, unknown: 0 },
    });
    expect(summary.sinks).toEqual([expect.objectContaining({ sink: "cloudwatch Watchpost", ok: true })]);
    expect(summary.alerts).toMatchObject({ decided: 2, delivered: 2, pending: [] });
    expect(notifier.log()).toEqual(["FIRING broken", "FIRING hanging"]);
    expect(logged.sort()).toEqual(["api up", "broken down", "hanging down", "hanging down (confirmation)"]);
    const datums = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? []);
    expect(datums.filter((d) => d.MetricName === "Results").map((d) => d.Value)).toEqual([3, 1]);
    expect(datums.find((d) => d.MetricName === "Results")).toMatchObject({
      Dimensions: [{ Name: "Interval", Value: "1m" }],
    });
  });

  it("sends a test notification through its notifier when invoked with { notifyTest: true }", async () => {
    const notifier = new RecordingNotifier();
    const deps: ShardDependencies = {
      checks: compile(cutShards([check({ name: "api", http: { url: `${web.url}/ok` } })], 200)),
      location: "eu-west-1",
      aws: defaultAwsClients(),
      resolvers: { env: envResolver },
      alerter: new Alerter({ store: new MemoryStore(), notifier, location: "eu-west-1" }),
      sinks: () => [],
      logResult: () => {},
    };
    const report = await createHandler(async () => deps)({ notifyTest: true }, context(10_000));
    expect(report).toMatchObject({ notifyTest: true, via: "recording" });
    expect(notifier.log()).toEqual(["FIRING watchpost-test", "RESOLVED watchpost-test"]);
    expect(notifier.delivered[0]?.subject).toContain("a test notification");
  });

  it("keeps an hourly shard's results, and re-sends them with { refresh: true }: success, not the run's measurements", async () => {
    cloudwatch.resetHistory();
    const records = new MemoryRunRecords();
    const cw = lazySink(
      "cloudwatch Watchpost",
      () => new CloudWatchSink({ client: new CloudWatchClient({ region: "eu-west-1" }) }),
    );
    const deps = shardDependencies(
      [check({ name: "cert", interval: "1h", http: { url: `${web.url}/ok` } })],
      {
        sinks: () => [cw],
        records,
        refreshSinks: [cw],
      },
    );
    const handler = createHandler(async () => deps);
    const run = (await handler({ shard: "1h-0" }, context(30_000))) as ShardSummary;
    expect(run.sinks.map((s) => [s.sink, s.ok])).toEqual([
      ["cloudwatch Watchpost", true],
      ["run record (memory)", true],
    ]);
    const [record] = await records.getMany("eu-west-1", ["1h-0"]);
    expect(record?.results.map((r) => r.name)).toEqual(["cert"]);
    // Too soon after the run: nothing to re-send yet.
    expect(await handler({ refresh: true }, context(10_000))).toMatchObject({ shards: 0, results: 0 });
    await records.put({ ...(record as RunRecord), at: Date.now() - 10 * 60_000 });
    cloudwatch.resetHistory();
    expect(await handler({ refresh: true }, context(10_000))).toMatchObject({ shards: 1, results: 1 });
    const datums = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? []);
    expect(datums.map((d) => d.MetricName)).toEqual(["Success", "HttpStatusCode"]);
  });

  it("keeps to the time Lambda gives it: probes stop early enough to publish", async () => {
    const specs = Array.from({ length: 3 }, (_, i) =>
      check({ name: `slow-${i}`, timeout: "10s", http: { url: `${web.url}/hang` } }),
    );
    const deps = shardDependencies(specs);
    const started = performance.now();
    const summary = await createHandler(async () => deps)({ shard: "1m-0" }, context(2_000));
    expect(summary).toMatchObject({ checks: 3, counts: { skipped: 3 } });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("fails loudly for a shard it does not know", async () => {
    const deps = {
      checks: { format: 1 as const, shards: {} },
      location: "x",
      aws: defaultAwsClients(),
      resolvers: {},
      alerter: new Alerter({ store: new MemoryStore(), notifier: new RecordingNotifier(), location: "x" }),
      sinks: () => [],
      logResult: () => {},
    } satisfies ShardDependencies;
    await expect(createHandler(async () => deps)({ shard: "9m-9" }, context(10_000))).rejects.toThrow(
      'no shard "9m-9" in the deployed checks',
    );
  });
});
