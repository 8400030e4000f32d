/** `watchpost <command>`: parses the command line and hands it to the command's own file. */

import path from "node:path";
import { parseArgs } from "node:util";
import { FileStore } from "../alerting/stores/file.js";
import { didYouMean } from "../checks/diagnostics.js";
import { VERSION } from "../version.js";
import { cost } from "./commands/cost.js";
import { demo } from "./commands/demo.js";
import { notify } from "./commands/notify.js";
import { type RunOptions, run } from "./commands/run.js";
import { schema } from "./commands/schema.js";
import { validate } from "./commands/validate.js";
import { describeFileError, EnvironmentError, type Io, UsageError } from "./context.js";
import { buildAlerter, buildSinks } from "./setup.js";

export type { Io } from "./context.js";

const USAGE = `Usage: watchpost <command> [options]

Commands:
  run        Run the checks once and print the results (exit 1 if any is down, unknown or skipped)
  validate   Check the check files and report every problem (exit 2 if any)
  schema     Print the JSON Schema of check files (--out FILE writes it)
  demo       Start local demo targets and run example checks against them
  cost       Estimate what the checks cost a month when deployed (--latency MS, --no-check-metrics, --amp)
  notify     notify --test: send a test FIRING and RESOLVED through --webhook and --channels

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
  --channels FILE     Slack, PagerDuty, Teams and webhook channels, routed by severity and labels
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

/** Exit code for a fault of Watchpost itself (sysexits' EX_SOFTWARE): said in a line, stack with --debug. */
export const INTERNAL_ERROR = 70;

export async function main(argv: string[], io: Io): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`watchpost: ${(error as Error).message}\nRun 'watchpost --help' for usage.\n`);
      return 2;
    }
    const environment = error instanceof EnvironmentError ? error.message : describeFileError(error, "use");
    if (environment !== undefined) {
      io.stderr.write(`watchpost: ${environment}\n`);
      if (debug) io.stderr.write(`${(error as Error).stack}\n`);
      return 2;
    }
    io.stderr.write(
      `watchpost: internal error: ${(error as Error)?.message ?? String(error)}\n${
        debug ? `${(error as Error)?.stack}\n` : "Run again with --debug to see where, and report it.\n"
      }`,
    );
    return INTERNAL_ERROR;
  }
}

/** Refuses a state file that cannot be used before any check runs (not after, as a failed delivery). */
async function verifyStateFile(file: string): Promise<void> {
  try {
    await new FileStore(path.resolve(file)).verify();
  } catch (error) {
    const text = describeFileError(error, "use the state file");
    throw new EnvironmentError(
      text ??
        `cannot use the state file ${file}: ${(error as Error).message.replace(`${path.resolve(file)} `, "it ")}; or name another with --state FILE`,
    );
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
      channels: { type: "string" },
      test: { type: "boolean", default: false },
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
      debug: { type: "boolean", default: false },
      deploy: { type: "boolean", default: false },
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
  if (command === "run") await verifyStateFile(values.state);
  const options: RunOptions = {
    json: values.json,
    watch: values.watch,
    concurrency,
    only: splitList(values.only),
    location: values.location,
    sinks: command === "run" || command === "demo" ? await buildSinks(values, io) : [],
    alerter: buildAlerter(
      command === "demo" ? undefined : values.state,
      { webhook: values.webhook, channels: values.channels },
      values.location,
      io,
      alertingOptions(values),
    ),
  };
  switch (command) {
    case "run":
      return run(values.checks, options, io);
    case "validate":
      return validate(values.checks, { json: values.json, deploy: values.deploy }, io);
    case "schema":
      return schema(values.out, io);
    case "demo":
      return demo(options, io);
    case "notify":
      return notify({ webhook: values.webhook, channels: values.channels, test: values.test }, io);
    case "cost":
      return cost(
        values.checks,
        { latency: values.latency, checkMetrics: !values["no-check-metrics"], amp: values.amp },
        io,
      );
    default: {
      const suggestion = didYouMean(command, ["run", "validate", "schema", "demo", "cost", "notify"]);
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
