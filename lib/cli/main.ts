/** `watchpost run | validate | schema | demo`: the same engine as in Lambda, on a laptop. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { Alerter } from "../alerting/alerter.js";
import { ConsoleNotifier, WebhookNotifier } from "../alerting/notifiers/local.js";
import { FileStore } from "../alerting/stores/file.js";
import { MemoryStore } from "../alerting/stores/store.js";
import type { AwsClients } from "../aws/clients.js";
import { type Diagnostic, didYouMean, formatDiagnostic } from "../checks/diagnostics.js";
import { type CheckSpec, loadChecks, parseCheckFile } from "../checks/load.js";
import { jsonSchema } from "../checks/schema.js";
import { estimateCost, formatEstimate } from "../cost.js";
import { startDemoTargets } from "../demo.js";
import { runChecks } from "../engine.js";
import type { CheckResult } from "../result.js";
import { CloudWatchSink } from "../sinks/cloudwatch.js";
import { RemoteWriteConfigError, RemoteWriteSink } from "../sinks/remote-write/index.js";
import type { RequestSigner } from "../sinks/remote-write/sigv4.js";
import { formatReport, publish, type Sink } from "../sinks/sink.js";
import { parseDuration } from "../units.js";
import { VERSION } from "../version.js";
import { exitCodeFor, formatSummary, formatTable, useColour } from "./output.js";

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Stops `--watch`; the CLI wires it to SIGINT/SIGTERM. */
  stopSignal?: AbortSignal;
}

const USAGE = `Usage: watchpost <command> [options]

Commands:
  run        Run the checks once and print the results (exit 1 if any is down or unknown)
  validate   Check the check files and report every problem (exit 2 if any)
  schema     Print the JSON Schema of check files (--out FILE writes it)
  demo       Start local demo targets and run example checks against them
  cost       Estimate what the checks cost a month when deployed (--latency MS, --no-check-metrics, --amp)

Options:
  --checks PATH       Folder (or one file) of check files. Default: checks
  --only NAME         Run only this check; repeat or separate with commas
  --json              Print results as JSON (one array; with --watch, one object per line)
  --watch             Keep running each check on its interval until interrupted
  --concurrency N     Checks in flight at once. Default 64
  --location NAME     The location label on metrics. Default: local

Alerting (as in AWS: FIRING after alert.failAfter failed runs, RESOLVED on recovery):
  --state FILE        Alert state between runs. Default: .watchpost/state.json
  --webhook URL       POST each notification as JSON to URL (default: print it)
  --group-threshold N This many alerts of one kind in one run become one summary. Default 5

Metrics (after each run; each sink reports one line, and a failed sink makes the exit code 3):
  --remote-write URL                      Prometheus remote-write endpoint (…/api/v1/write)
  --remote-write-header NAME=VALUE        Extra header, e.g. X-Scope-OrgID=tenant; repeatable
  --remote-write-bearer-token-file FILE   Send Authorization: Bearer <the file's content>
  --remote-write-basic-auth-file FILE     Send basic auth; the file holds user:password
  --remote-write-sigv4-region REGION      Sign for Amazon Managed Service for Prometheus
  --cloudwatch                            PutMetricData with the default AWS credentials and region
  --cloudwatch-namespace NS               Default: Watchpost
  --cloudwatch-phases                     Also publish per-phase HTTP durations
  --cloudwatch-high-resolution            One-second storage resolution
  --version, --help
`;

class UsageError extends Error {}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`watchpost: ${(error as Error).message}\nRun 'watchpost --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      checks: { type: "string", default: "checks" },
      only: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
      concurrency: { type: "string" },
      location: { type: "string", default: "local" },
      "remote-write": { type: "string" },
      "remote-write-header": { type: "string", multiple: true },
      "remote-write-bearer-token-file": { type: "string" },
      "remote-write-basic-auth-file": { type: "string" },
      "remote-write-sigv4-region": { type: "string" },
      state: { type: "string", default: ".watchpost/state.json" },
      webhook: { type: "string" },
      "group-threshold": { type: "string" },
      latency: { type: "string", default: "300ms" },
      "no-check-metrics": { type: "boolean", default: false },
      amp: { type: "boolean", default: false },
      cloudwatch: { type: "boolean", default: false },
      "cloudwatch-namespace": { type: "string" },
      "cloudwatch-phases": { type: "boolean", default: false },
      "cloudwatch-high-resolution": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", default: false },
    },
  });
  if (values.version) {
    io.stdout.write(`watchpost ${VERSION}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (values.help || command === "help" || command === undefined) {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new UsageError(`--concurrency expects a whole number above 0, found "${values.concurrency}"`);
  }
  const options: RunOptions = {
    json: values.json,
    watch: values.watch,
    concurrency,
    only: splitList(values.only),
    location: values.location,
    sinks: command === "run" || command === "demo" ? await buildSinks(values, io) : [],
    alerter: buildAlerter(
      command === "demo" ? undefined : values.state,
      values.webhook,
      values.location,
      io,
      alertingOptions(values),
    ),
  };
  switch (command) {
    case "run":
      return run(values.checks, options, io);
    case "validate":
      return validate(values.checks, io);
    case "schema":
      return schema(values.out, io);
    case "demo":
      return demo(options, io);
    case "cost":
      return cost(
        values.checks,
        { latency: values.latency, checkMetrics: !values["no-check-metrics"], amp: values.amp },
        io,
      );
    default: {
      const suggestion = didYouMean(command, ["run", "validate", "schema", "demo", "cost"]);
      throw new UsageError(
        `unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
      );
    }
  }
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

function reportDiagnostics(diagnostics: Diagnostic[], io: Io): void {
  for (const diagnostic of diagnostics) io.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  const files = new Set(diagnostics.map((d) => d.file)).size;
  io.stderr.write(
    `${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}\n`,
  );
}

async function validate(target: string, io: Io): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  io.stdout.write(
    `${plural(loaded.checks.length, "check")} in ${plural(loaded.files.length, "file")}: valid\n`,
  );
  return 0;
}

async function cost(
  target: string,
  options: { latency: string; checkMetrics: boolean; amp: boolean },
  io: Io,
): Promise<number> {
  const latencyMs = parseDuration(options.latency);
  if (latencyMs === undefined)
    throw new UsageError(`--latency expects a duration such as 300ms, found "${options.latency}"`);
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  io.stdout.write(
    `${formatEstimate(estimateCost(loaded.checks, { latencyMs, checkMetrics: options.checkMetrics, amp: options.amp }))}\n`,
  );
  return 0;
}

async function schema(out: string | undefined, io: Io): Promise<number> {
  const text = `${JSON.stringify(jsonSchema(), null, 2)}\n`;
  if (out) await writeFile(out, text);
  else io.stdout.write(text);
  return 0;
}

interface RunOptions {
  json: boolean;
  watch: boolean;
  concurrency: number | undefined;
  only: string[];
  location: string;
  sinks: Sink[];
  alerter: Alerter;
}

async function run(target: string, options: RunOptions, io: Io): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  return execute(select(loaded.checks, options.only), options, io);
}

function select(checks: CheckSpec[], only: string[]): CheckSpec[] {
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

function alertingOptions(values: { json?: boolean; "group-threshold"?: string }): {
  json: boolean;
  groupThreshold?: number;
} {
  const raw = values["group-threshold"];
  if (raw === undefined) return { json: Boolean(values.json) };
  const groupThreshold = Number(raw);
  if (!Number.isInteger(groupThreshold) || groupThreshold < 2) {
    throw new UsageError(`--group-threshold expects a whole number of at least 2, found "${raw}"`);
  }
  return { json: Boolean(values.json), groupThreshold };
}

/**
 * Alerting as in AWS, with local parts: state in a file (in memory for the demo), transitions POSTed
 * to a webhook or printed.
 */
function buildAlerter(
  stateFile: string | undefined,
  webhook: string | undefined,
  location: string,
  io: Io,
  options: { json: boolean; groupThreshold?: number },
): Alerter {
  if (webhook !== undefined) {
    try {
      const url = new URL(webhook);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw new UsageError(`--webhook expects an http:// or https:// URL, found "${webhook}"`);
    }
  }
  const out = options.json ? io.stderr : io.stdout;
  return new Alerter({
    store: stateFile ? new FileStore(path.resolve(stateFile)) : new MemoryStore(),
    notifier: webhook ? new WebhookNotifier(webhook) : new ConsoleNotifier((line) => out.write(`${line}\n`)),
    location,
    ...(options.groupThreshold !== undefined ? { groupThreshold: options.groupThreshold } : {}),
  });
}

/** The sinks the flags ask for; AWS pieces are loaded only when asked for. */
async function buildSinks(
  values: Record<string, string | boolean | string[] | undefined>,
  io: Io,
): Promise<Sink[]> {
  const sinks: Sink[] = [];
  const url = values["remote-write"] as string | undefined;
  const remoteWriteFlags = Object.keys(values).filter(
    (key) => key.startsWith("remote-write-") && values[key] !== undefined,
  );
  if (!url && remoteWriteFlags.length > 0)
    throw new UsageError(`--${remoteWriteFlags[0]} needs --remote-write URL`);
  if (url) {
    const headers: Record<string, string> = {};
    for (const pair of (values["remote-write-header"] as string[] | undefined) ?? []) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new UsageError(`--remote-write-header expects NAME=VALUE, found "${pair}"`);
      headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    const bearerFile = values["remote-write-bearer-token-file"] as string | undefined;
    const basicFile = values["remote-write-basic-auth-file"] as string | undefined;
    const region = values["remote-write-sigv4-region"] as string | undefined;
    let basicAuth: { username: string; password: string } | undefined;
    if (basicFile) {
      const text = await readSecretFile(basicFile, "--remote-write-basic-auth-file");
      const colon = text.indexOf(":");
      if (colon <= 0)
        throw new UsageError(
          `--remote-write-basic-auth-file ${basicFile}: expected user:password, found no colon`,
        );
      basicAuth = { username: text.slice(0, colon), password: text.slice(colon + 1) };
    }
    let sign: RequestSigner | undefined;
    if (region) {
      const [{ defaultProvider }, { sigv4Signer }] = await Promise.all([
        import("@aws-sdk/credential-provider-node"),
        import("../sinks/remote-write/sigv4.js"),
      ]);
      sign = sigv4Signer({ region, credentials: defaultProvider() });
    }
    try {
      sinks.push(
        new RemoteWriteSink({
          url,
          headers,
          ...(bearerFile
            ? { bearerToken: await readSecretFile(bearerFile, "--remote-write-bearer-token-file") }
            : {}),
          ...(basicAuth ? { basicAuth } : {}),
          ...(sign ? { sign } : {}),
          log: (line) => io.stderr.write(`${line}\n`),
        }),
      );
    } catch (error) {
      if (error instanceof RemoteWriteConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  const cloudwatchFlags = ["cloudwatch-namespace", "cloudwatch-phases", "cloudwatch-high-resolution"].filter(
    (key) => values[key] !== undefined && values[key] !== false,
  );
  if (!values.cloudwatch && cloudwatchFlags.length > 0)
    throw new UsageError(`--${cloudwatchFlags[0]} needs --cloudwatch`);
  if (values.cloudwatch) {
    const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
    const namespace = values["cloudwatch-namespace"] as string | undefined;
    sinks.push(
      new CloudWatchSink({
        // The sink retries throttling itself, within the run's deadline; the SDK must not multiply that.
        client: new CloudWatchClient({ maxAttempts: 1 }),
        ...(namespace ? { namespace } : {}),
        phases: Boolean(values["cloudwatch-phases"]),
        highResolution: Boolean(values["cloudwatch-high-resolution"]),
      }),
    );
  }
  return sinks;
}

async function readSecretFile(file: string, flag: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(error as { code?: string }).code ?? error})`);
  }
}

async function demo(options: RunOptions, io: Io): Promise<number> {
  const targets = await startDemoTargets();
  try {
    const parsed = parseCheckFile("demo.yml", targets.checks, process.cwd());
    if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
    if (!options.json)
      io.stdout.write(
        "Demo targets on 127.0.0.1 (healthy, slow, broken, hanging, a banner, a closed port); running checks against them.\n\n",
      );
    // The demo shows failures on purpose; its exit code says only whether the demo itself ran.
    await execute(select(parsed.checks, options.only), options, io);
    return 0;
  } finally {
    await targets.close();
  }
}

async function execute(checks: CheckSpec[], options: RunOptions, io: Io): Promise<number> {
  try {
    if (options.watch) return await watch(checks, options, io);
    const { results, delivered } = await runOnce(checks, options, io);
    return exitCode(results, delivered);
  } finally {
    await Promise.all(options.sinks.map((sink) => sink.close?.()));
  }
}

let clients: AwsClients | undefined;

/** The SDK's clients, loaded only when a backup check needs them. */
async function awsClients(): Promise<AwsClients> {
  clients ??= (await import("../aws/clients.js")).defaultAwsClients();
  return clients;
}

/** How long the sinks may take after each run, retries included. */
const SINK_BUDGET_MS = 30_000;

/** One run: the checks, the table (or JSON), every sink side by side, then alerting. */
async function runOnce(
  checks: CheckSpec[],
  options: RunOptions,
  io: Io,
): Promise<{ results: CheckResult[]; delivered: boolean }> {
  const runStartedAt = Date.now();
  const started = performance.now();
  const results = await runChecks(checks, {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(checks.some((check) => check.kind === "backup") ? { aws: await awsClients() } : {}),
  });
  print(results, performance.now() - started, options, io);
  const out = options.json ? io.stderr : io.stdout;
  const reports = await publish(results, options.sinks, {
    deadline: Date.now() + SINK_BUDGET_MS,
    runStartedAt,
    location: options.location,
  });
  for (const report of reports) out.write(`${formatReport(report)}\n`);
  const alerts = await options.alerter.process(results, checks, new Date(runStartedAt));
  if (alerts.notifier !== "console" && alerts.delivered + alerts.failed > 0) {
    out.write(
      `alerts via ${alerts.notifier}: ${alerts.delivered} delivered, ${alerts.failed} to retry on the next run\n`,
    );
  }
  for (const error of alerts.errors) out.write(`alerts: ${error}\n`);
  return {
    results,
    delivered: reports.every((report) => report.ok) && alerts.failed === 0 && alerts.errors.length === 0,
  };
}

/** 1 when a check is down or unknown; else 3 when a sink or a notification could not be delivered; else 0. */
function exitCode(results: readonly CheckResult[], delivered: boolean): number {
  const checks = exitCodeFor(results);
  return checks !== 0 ? checks : delivered ? 0 : 3;
}

function print(results: CheckResult[], elapsedMs: number, options: RunOptions, io: Io): void {
  if (options.json) {
    io.stdout.write(
      options.watch
        ? results.map((r) => `${JSON.stringify(r)}\n`).join("")
        : `${JSON.stringify(results, null, 2)}\n`,
    );
    return;
  }
  const width = io.stdout.columns ?? 160;
  if (options.watch) io.stdout.write(`\n${new Date().toISOString()}\n`);
  io.stdout.write(
    `${formatTable(results, useColour(io.stdout), width)}\n\n${formatSummary(results, elapsedMs)}\n`,
  );
}

/** Runs each check on its own interval until stopped; the exit code is that of the latest results. */
async function watch(checks: CheckSpec[], options: RunOptions, io: Io): Promise<number> {
  const due = new Map(checks.map((check) => [check.name, 0]));
  const latest = new Map<string, CheckResult>();
  let delivered = true;
  const stop = io.stopSignal;
  while (!stop?.aborted) {
    const now = Date.now();
    const batch = checks.filter((check) => (due.get(check.name) ?? 0) <= now);
    for (const check of batch) due.set(check.name, now + check.intervalMs);
    const outcome = await runOnce(batch, options, io);
    for (const result of outcome.results) latest.set(result.name, result);
    delivered = outcome.delivered;
    await sleep(Math.max(0, Math.min(...due.values()) - Date.now()), stop);
  }
  return exitCode([...latest.values()], delivered);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
