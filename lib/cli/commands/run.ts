/** `watchpost run` (and `--watch`): checks through the same run pipeline as the probe function. */
import path from "node:path";
import type { Alerter } from "../../alerting/alerter.js";
import { configuredNames } from "../../alerting/closing.js";
import type { AwsClients } from "../../aws/clients.js";
import { type CheckSpec, loadChecks, type SloGroup } from "../../checks/load.js";
import { pause } from "../../deadline.js";
import { DEFAULT_CONCURRENCY } from "../../engine.js";
import { keyFileFor } from "../../heartbeat/token.js";
import type { HistoryStore } from "../../history/store.js";
import type { CheckResult } from "../../result.js";
import {
  MemoryRunRecords,
  needsRefresh,
  REFRESH_EVERY_MS,
  type RunRecords,
} from "../../runtime/freshness.js";
import { runPipeline, type SinkSource } from "../../runtime/pipeline.js";
import type { QuorumSource } from "../../runtime/quorum.js";
import { runRefresh } from "../../runtime/refresh.js";
import type { RunSummary } from "../../runtime/summary.js";
import { formatReport } from "../../sinks/sink.js";
import { command } from "../command.js";
import type { Io } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { type LocalHeartbeats, listenOption, servePings } from "../listen.js";
import { planLocations } from "../locations.js";
import { list, METRIC_OPTIONS, selectChecks, shared, wholeNumber } from "../options.js";
import { exitCodeFor, printResults, terminalText } from "../output.js";
import { Progress } from "../progress.js";
import { buildAlerter, buildSinks } from "../setup.js";
import { historyBeside, pingsBeside, reportsBeside, verifyHistory, verifyStateFile } from "../state.js";

export const runCommand = command({
  name: "run",
  summary: "Run the checks, alert on changes, and print the results",
  usage: "watchpost run [options]",
  options: {
    checks: shared.checks,
    only: shared.only,
    json: shared.json,
    watch: {
      type: "boolean",
      help: "Keep running each check on its interval, confirming failures, until Ctrl-C",
    },
    wide: shared.wide,
    concurrency: {
      type: "string",
      value: "N",
      defaultText: String(DEFAULT_CONCURRENCY),
      help: "Checks in flight at once",
    },
    location: {
      type: "string",
      value: "NAME",
      default: "local",
      help: "The location label on metrics and alerts",
    },
    locations: shared.locations,
    state: shared.state,
    listen: {
      type: "string",
      value: "HOST:PORT",
      help: "With --watch: serve heartbeat pings (POST /ping/NAME) on this address, e.g. 127.0.0.1:8787",
    },
    webhook: shared.webhook,
    channels: shared.channels,
    "group-threshold": {
      type: "string",
      value: "N",
      defaultText: "5",
      help: "This many alerts of one type and severity in one run become one summary",
    },
    ...METRIC_OPTIONS,
  },
  examples: [
    "watchpost run",
    "watchpost run --watch --listen 127.0.0.1:8787",
    "watchpost run --only payments-api --json",
    "watchpost run --watch --channels channels.yml",
    "watchpost run --remote-write http://127.0.0.1:9090/api/v1/write",
  ],
  exits: [
    "1: a check is down, unknown or skipped",
    "2: a problem in a check file, the command line or the environment (the state file)",
    "3: every check is up or degraded, but a sink or a notification failed",
    "130: interrupted (Ctrl-C); what finished is printed",
  ],
  run: async ({ values }, io) => {
    const concurrency =
      values.concurrency === undefined ? undefined : wholeNumber("concurrency", values.concurrency, 1);
    await verifyStateFile(values.state);
    await verifyHistory(values.state);
    const listenAt = listenOption(values.listen, values.watch);
    const groupThreshold = values["group-threshold"];
    const options: RunOptions = {
      json: values.json,
      watch: values.watch,
      wide: values.wide,
      concurrency,
      only: list(values.only),
      location: values.location,
      ...(values.locations !== undefined
        ? { locations: { names: list(values.locations), records: reportsBeside(values.state) } }
        : {}),
      history: historyBeside(values.state),
      heartbeats: {
        store: pingsBeside(values.state),
        keyFile: keyFileFor(path.resolve(values.state)),
        ...(listenAt ? { listen: listenAt } : {}),
      },
      sinks: await buildSinks(values, io),
      alerter: buildAlerter(
        values.state,
        { webhook: values.webhook, channels: values.channels },
        values.location,
        io,
        {
          json: values.json,
          ...(groupThreshold !== undefined
            ? { groupThreshold: wholeNumber("group-threshold", groupThreshold, 2) }
            : {}),
        },
      ),
    };
    return run(values.checks, options, io);
  },
});

export interface RunOptions {
  json: boolean;
  watch: boolean;
  /** Reasons on one line however long, even on a terminal. */
  wide?: boolean;
  concurrency: number | undefined;
  only: string[];
  location: string;
  sinks: SinkSource[];
  alerter: Alerter;
  heartbeats?: LocalHeartbeats;
  /** Where decided results and incidents are kept, beside the state file (status page, SLOs). */
  history?: HistoryStore;
  /** Objectives over groups of checks (`slos:`), evaluated after each run. */
  sloGroups?: readonly SloGroup[];
  /** `--locations`: this process is one of several locations sharing the state file. */
  locations?: { names: string[]; records: RunRecords };
  /** Every name in the check files (not only `--only`'s): an open check not among them is resolved. */
  configured?: ReadonlySet<string>;
}

/** What a run does: every check and the options as given, or one location's part of them. */
interface Part {
  checks: CheckSpec[];
  options: RunOptions;
  /** Whether this process alerts (a location other than the home only reports). */
  alerts: boolean;
  quorum?: QuorumSource;
}

export async function run(target: string, options: RunOptions, io: Io): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  return execute(
    selectChecks(loaded.checks, options.only),
    {
      ...options,
      ...(loaded.sloGroups ? { sloGroups: loaded.sloGroups } : {}),
      configured: configuredNames(loaded.checks, loaded.sloGroups),
    },
    io,
  );
}

function part(checks: CheckSpec[], options: RunOptions): Part {
  if (!options.locations) return { checks, options, alerts: true };
  const plan = planLocations(checks, options.location, options.locations.names, options.locations.records);
  return {
    checks: plan.checks,
    // A location reports every run; only the home decides and notifies.
    options: { ...options, sinks: [...options.sinks, plan.report] },
    alerts: plan.quorum !== undefined,
    ...(plan.quorum ? { quorum: plan.quorum } : {}),
  };
}

/** The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect. */
export const INTERRUPTED = 130;

export async function execute(all: CheckSpec[], given: RunOptions, io: Io): Promise<number> {
  const role = part(all, given);
  const { checks, options } = role;
  const server = await servePings(all, options.heartbeats, io);
  try {
    const code = options.watch
      ? await watch(role, io)
      : await runOnce(checks, role, io).then(({ results, delivered }) => exitCode(results, delivered));
    if (!io.stopSignal?.aborted) return code;
    io.stderr.write("watchpost: interrupted; results above are what finished\n");
    return INTERRUPTED;
  } finally {
    await server?.close();
    await Promise.all(
      options.sinks.map(async (source) => {
        const sink = await source.get().catch(() => undefined);
        await sink?.close?.();
      }),
    );
  }
}

let clients: AwsClients | undefined;

/** The SDK's clients, loaded only when a backup check needs them. */
async function awsClients(): Promise<AwsClients> {
  clients ??= (await import("../../aws/clients.js")).defaultAwsClients();
  return clients;
}

/**
 * One run, with the probe function's budget: it must be over within the shortest interval among
 * its checks, so runs never overlap under `--watch`.
 */
async function runOnce(
  checks: CheckSpec[],
  role: Part,
  io: Io,
  shard?: { id: string; intervalMs: number },
): Promise<{ results: CheckResult[]; delivered: boolean }> {
  const options = role.options;
  const out = options.json ? io.stderr : io.stdout;
  const progress = Progress.for(io.stderr, checks.length, options.json);
  progress?.start();
  const summary = await runPipeline({
    checks,
    deadline: Date.now() + Math.min(...checks.map((check) => check.intervalMs)),
    ...(io.stopSignal ? { signal: io.stopSignal } : {}),
    sinks: options.sinks,
    ...(role.alerts ? { alerter: options.alerter } : {}),
    ...(role.alerts && options.history ? { history: options.history } : {}),
    ...(role.alerts && options.history && options.sloGroups ? { sloGroups: options.sloGroups } : {}),
    ...(role.quorum ? { quorum: role.quorum } : {}),
    ...(role.alerts && options.configured ? { configured: options.configured } : {}),
    location: options.location,
    ...(shard ? { shard } : {}),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(checks.some((check) => check.kind === "backup") ? { aws: await awsClients() } : {}),
    ...(options.heartbeats && checks.some((check) => check.kind === "heartbeat")
      ? { heartbeats: options.heartbeats.store }
      : {}),
    // Confirmation re-probes need alert state between runs to mean anything: --watch has it; a
    // one-shot run stays as quick as its checks.
    confirm: options.watch && role.alerts,
    ...(progress
      ? {
          onStage: (check: string, stage: string) => progress.stage(check, stage),
          onResult: (result: CheckResult) => progress.result(result),
        }
      : {}),
    onResults: (results, elapsedMs, { confirmation }) => {
      progress?.stop();
      printResults(results, elapsedMs, options, io, confirmation);
    },
  }).finally(() => progress?.stop());
  // A sink's or a channel's error may quote what a server answered.
  for (const report of summary.sinks) out.write(`${terminalText(formatReport(report))}\n`);
  const alerts = summary.alerts;
  if (alerts && alerts.notifier !== "console" && alerts.delivered + alerts.failed > 0) {
    out.write(
      `alerts via ${alerts.notifier}: ${alerts.delivered} delivered, ${alerts.failed} to retry on the next run\n`,
    );
  }
  for (const error of alerts?.errors ?? []) out.write(`alerts: ${terminalText(error)}\n`);
  for (const silent of summary.silentLocations ?? [])
    io.stderr.write(
      `locations: ${silent.location} has not reported ${silent.lastReportAt === undefined ? "at all" : `since ${new Date(silent.lastReportAt).toISOString()}`}; not counted up or down\n`,
    );
  for (const { check, dependencies } of alerts?.held ?? [])
    out.write(`alerts: ${check} is held: it depends on ${dependencies.join(", ")}, failing too\n`);
  // Sinks and alerting said their piece above; the probes stage says only when checks were skipped.
  const probes = summary.stages.find((stage) => stage.stage === "probes");
  if (probes && !probes.ok) out.write(`probes: ${terminalText(probes.error ?? "")}\n`);
  // A confirmation is the check's latest word.
  const latest = new Map(summary.results.map((r) => [r.name, r]));
  for (const r of summary.confirmations) latest.set(r.name, r);
  return { results: [...latest.values()], delivered: delivered(summary) };
}

/** Every sink and the alerting delivered (skipped checks are the exit code's 1, not a delivery). */
function delivered(summary: RunSummary): boolean {
  return summary.stages.every((s) => s.stage === "probes" || s.ok);
}

/** 1 when a check is down, unknown or skipped; else 3 when a sink or a notification failed; else 0. */
function exitCode(results: readonly CheckResult[], delivered: boolean): number {
  const checks = exitCodeFor(results);
  return checks !== 0 ? checks : delivered ? 0 : 3;
}

/**
 * Runs each check on its own interval until stopped; the exit code is that of the latest results.
 * Between runs, slow checks' latest samples are re-sent every two minutes, as the deployed monitor
 * does (lib/runtime/freshness.ts); the heartbeat is `shard="local"` when some check runs often
 * enough to keep it fresh.
 */
async function watch(role: Part, io: Io): Promise<number> {
  const { checks, options } = role;
  const due = new Map(checks.map((check) => [check.name, 0]));
  const latest = new Map<string, CheckResult>();
  const fastest = Math.min(...checks.map((check) => check.intervalMs));
  const shard = needsRefresh(fastest) ? undefined : { id: "local", intervalMs: fastest };
  const slow = new Map(
    checks.filter((check) => needsRefresh(check.intervalMs)).map((check) => [check.name, check]),
  );
  // Each slow check is its own record: --watch runs checks on their own intervals, not in shards.
  const records = new MemoryRunRecords();
  let nextRefresh = Date.now() + REFRESH_EVERY_MS;
  let delivered = true;
  const stop = io.stopSignal;
  while (!stop?.aborted) {
    const now = Date.now();
    const batch = checks.filter((check) => (due.get(check.name) ?? 0) <= now);
    for (const check of batch) due.set(check.name, now + check.intervalMs);
    if (batch.length > 0) {
      const outcome = await runOnce(batch, role, io, shard);
      for (const result of outcome.results) {
        latest.set(result.name, result);
        const spec = slow.get(result.name);
        if (spec && result.status !== "skipped")
          await records.put({
            location: options.location,
            shard: spec.name,
            intervalMs: spec.intervalMs,
            at: now,
            results: [result],
          });
      }
      delivered = outcome.delivered;
    }
    if (slow.size > 0 && Date.now() >= nextRefresh && !stop?.aborted) {
      nextRefresh = Date.now() + REFRESH_EVERY_MS;
      const summary = await runRefresh(
        {
          checks: { shards: Object.fromEntries([...slow].map(([name, check]) => [name, [check]])) },
          records,
          sinks: options.sinks,
          location: options.location,
          heartbeat: false,
        },
        Date.now() + 30_000,
        stop,
      );
      for (const report of summary.sinks.filter((r) => !r.ok))
        io.stderr.write(`re-sending slow checks' latest samples: ${formatReport(report)}\n`);
    }
    const wake = slow.size > 0 ? Math.min(nextRefresh, ...due.values()) : Math.min(...due.values());
    await pause(wake - Date.now(), stop);
  }
  return exitCode([...latest.values()], delivered);
}
