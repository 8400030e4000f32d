/** `watchpost run | validate | schema | demo`: the same engine as in Lambda, on a laptop. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Diagnostic, didYouMean, formatDiagnostic } from "../checks/diagnostics.js";
import { type CheckSpec, loadChecks, parseCheckFile } from "../checks/load.js";
import { jsonSchema } from "../checks/schema.js";
import { startDemoTargets } from "../demo.js";
import { runChecks } from "../engine.js";
import type { CheckResult } from "../result.js";
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

Options:
  --checks PATH       Folder (or one file) of check files. Default: checks
  --only NAME         Run only this check; repeat or separate with commas
  --json              Print results as JSON (one array; with --watch, one object per line)
  --watch             Keep running each check on its interval until interrupted
  --concurrency N     Checks in flight at once. Default 64
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
  const options = { json: values.json, watch: values.watch, concurrency, only: splitList(values.only) };
  switch (command) {
    case "run":
      return run(values.checks, options, io);
    case "validate":
      return validate(values.checks, io);
    case "schema":
      return schema(values.out, io);
    case "demo":
      return demo(options, io);
    default: {
      const suggestion = didYouMean(command, ["run", "validate", "schema", "demo"]);
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
  io.stdout.write(`${loaded.checks.length} checks in ${loaded.files.length} files are valid\n`);
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

async function demo(options: RunOptions, io: Io): Promise<number> {
  const targets = await startDemoTargets();
  try {
    const parsed = parseCheckFile("demo.yml", targets.checks, process.cwd());
    if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
    if (!options.json)
      io.stdout.write("Demo targets on 127.0.0.1; running the demo checks (see README: 'The demo').\n\n");
    // The demo shows failures on purpose; its exit code says only whether the demo itself ran.
    await execute(select(parsed.checks, options.only), options, io);
    return 0;
  } finally {
    await targets.close();
  }
}

async function execute(checks: CheckSpec[], options: RunOptions, io: Io): Promise<number> {
  const runOptions = options.concurrency === undefined ? {} : { concurrency: options.concurrency };
  if (!options.watch) {
    const started = performance.now();
    const results = await runChecks(checks, runOptions);
    print(results, performance.now() - started, options, io);
    return exitCodeFor(results);
  }
  return watch(checks, runOptions, options, io);
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

/** Runs each check on its own interval until stopped; returns the exit code of the latest results. */
async function watch(
  checks: CheckSpec[],
  runOptions: { concurrency?: number },
  options: RunOptions,
  io: Io,
): Promise<number> {
  const due = new Map(checks.map((check) => [check.name, 0]));
  const latest = new Map<string, CheckResult>();
  const stop = io.stopSignal;
  while (!stop?.aborted) {
    const now = Date.now();
    const batch = checks.filter((check) => (due.get(check.name) ?? 0) <= now);
    for (const check of batch) due.set(check.name, now + check.intervalMs);
    const started = performance.now();
    const results = await runChecks(batch, runOptions);
    for (const result of results) latest.set(result.name, result);
    print(results, performance.now() - started, options, io);
    const wait = Math.max(0, Math.min(...due.values()) - Date.now());
    await sleep(wait, stop);
  }
  return exitCodeFor([...latest.values()]);
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
