/** `watchpost run` (and `--watch`): checks through the same run pipeline as the probe function. */
import path from "node:path";
import type { Alerter } from "../../alerting/alerter.js";
import type { AwsClients } from "../../aws/clients.js";
import { didYouMean } from "../../checks/diagnostics.js";
import { type CheckSpec, loadChecks, type SloGroup } from "../../checks/load.js";
import { envResolver } from "../../checks/references.js";
import { pause } from "../../deadline.js";
import { PingEndpoint } from "../../heartbeat/endpoint.js";
import { type PingServer, startPingServer } from "../../heartbeat/listen.js";
import type { HeartbeatStore } from "../../heartbeat/store.js";
import { checkTokens, localKey } from "../../heartbeat/token.js";
import type { HistoryStore } from "../../history/store.js";
import type { CheckResult } from "../../result.js";
import {
  MemoryRunRecords,
  needsRefresh,
  REFRESH_EVERY_MS,
  type RunRecords,
} from "../../runtime/freshness.js";
import { type QuorumSource, type RunSummary, runPipeline, type SinkSource } from "../../runtime/pipeline.js";
import { runRefresh } from "../../runtime/refresh.js";
import { formatReport } from "../../sinks/sink.js";
import { EnvironmentError, type Io, UsageError } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { planLocations } from "../locations.js";
import { exitCodeFor, formatSummary, formatTable, useColour } from "../output.js";
import { Progress } from "../progress.js";

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
  /** Heartbeat checks' pings: where they are kept, the key their tokens derive from, and `--listen`. */
  heartbeats?: { store: HeartbeatStore; keyFile: string; listen?: { host: string; port: number } };
  /** Where decided results and incidents are kept, beside the state file (status page, SLOs). */
  history?: HistoryStore;
  /** Objectives over groups of checks (`slos:`), evaluated after each run. */
  sloGroups?: readonly SloGroup[];
  /** `--locations`: this process is one of several locations sharing the state file. */
  locations?: { names: string[]; records: RunRecords };
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
    select(loaded.checks, options.only),
    loaded.sloGroups ? { ...options, sloGroups: loaded.sloGroups } : options,
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

export function select(checks: CheckSpec[], only: string[]): CheckSpec[] {
  if (only.length === 0) return checks;
  const names = checks.map((check) => check.name);
  for (const name of only) {
    if (!names.includes(name)) {
      const suggestion = didYouMean(name, names);
      throw new UsageError(
        `--only names no check "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
      );
    }
  }
  return checks.filter((check) => only.includes(check.name));
}

/** The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect. */
export const INTERRUPTED = 130;

export async function execute(all: CheckSpec[], given: RunOptions, io: Io): Promise<number> {
  const role = part(all, given);
  const { checks, options } = role;
  const server = await listen(all, options, io);
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

/** `--listen`: the ping endpoint for every heartbeat check loaded, recording where the checks read. */
async function listen(checks: CheckSpec[], options: RunOptions, io: Io): Promise<PingServer | undefined> {
  const heartbeats = options.heartbeats;
  if (!heartbeats?.listen) return undefined;
  // Made now, so `watchpost token NAME` works as soon as the endpoint listens.
  const key = await localKey(heartbeats.keyFile);
  const endpoint = new PingEndpoint({
    tokens: checkTokens(checks, async () => key, { env: envResolver }),
    store: heartbeats.store,
    onError: (what, error) =>
      io.stderr.write(
        `heartbeat ping not recorded: ${what}: ${(error as Error)?.message ?? String(error)}\n`,
      ),
  });
  const { host, port } = heartbeats.listen;
  let server: PingServer;
  try {
    server = await startPingServer(endpoint, host, port);
  } catch (error) {
    throw new EnvironmentError(
      `cannot listen on ${host}:${port}: ${(error as { code?: string }).code ?? (error as Error).message}; name another address with --listen HOST:PORT`,
    );
  }
  const names = checks.filter((check) => check.kind === "heartbeat").map((check) => check.name);
  io.stderr.write(
    `listening for heartbeat pings on ${server.url}/ping/NAME (${names.length === 0 ? "no heartbeat checks loaded" : names.join(", ")}); tokens: watchpost token NAME\n`,
  );
  return server;
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
      print(results, elapsedMs, options, io, confirmation);
    },
  }).finally(() => progress?.stop());
  for (const report of summary.sinks) out.write(`${formatReport(report)}\n`);
  const alerts = summary.alerts;
  if (alerts && alerts.notifier !== "console" && alerts.delivered + alerts.failed > 0) {
    out.write(
      `alerts via ${alerts.notifier}: ${alerts.delivered} delivered, ${alerts.failed} to retry on the next run\n`,
    );
  }
  for (const error of alerts?.errors ?? []) out.write(`alerts: ${error}\n`);
  for (const silent of summary.silentLocations ?? [])
    io.stderr.write(
      `locations: ${silent.location} has not reported ${silent.lastReportAt === undefined ? "at all" : `since ${new Date(silent.lastReportAt).toISOString()}`}; not counted up or down\n`,
    );
  for (const { check, dependencies } of alerts?.held ?? [])
    out.write(`alerts: ${check} is held: it depends on ${dependencies.join(", ")}, failing too\n`);
  // Sinks and alerting said their piece above; the probes stage says only when checks were skipped.
  const probes = summary.stages.find((stage) => stage.stage === "probes");
  if (probes && !probes.ok) out.write(`probes: ${probes.error}\n`);
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

function print(
  results: CheckResult[],
  elapsedMs: number,
  options: RunOptions,
  io: Io,
  confirmation: boolean,
): void {
  if (options.json) {
    io.stdout.write(
      options.watch
        ? results.map((r) => `${JSON.stringify(confirmation ? { ...r, confirmation } : r)}\n`).join("")
        : `${JSON.stringify(results, null, 2)}\n`,
    );
    return;
  }
  // A terminal wraps long reasons under their column; a pipe or --wide gets each row on one line.
  const width = options.wide ? undefined : io.stdout.isTTY ? io.stdout.columns : undefined;
  if (options.watch)
    io.stdout.write(
      `\n${new Date().toISOString()}${confirmation ? ` confirming ${results.length === 1 ? "a failure" : `${results.length} failures`}` : ""}\n`,
    );
  io.stdout.write(
    `${formatTable(results, useColour(io.stdout), width)}\n\n${formatSummary(results, elapsedMs)}\n`,
  );
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
