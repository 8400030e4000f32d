/** `watchpost <command>`: parses the command line and hands it to the command's own file. */

import path from "node:path";
import { parseArgs } from "node:util";
import { FileStore } from "../alerting/stores/file.js";
import { didYouMean } from "../checks/diagnostics.js";
import { parseListen } from "../heartbeat/listen.js";
import { FileHeartbeats } from "../heartbeat/store-file.js";
import { keyFileFor } from "../heartbeat/token.js";
import { FileHistory } from "../history/store-file.js";
import { FileRunRecords } from "../runtime/run-records-file.js";
import { besideStateFile } from "../shared-file.js";
import { VERSION } from "../version.js";
import { cost } from "./commands/cost.js";
import { demo } from "./commands/demo.js";
import { init } from "./commands/init.js";
import { notify } from "./commands/notify.js";
import { ping } from "./commands/ping.js";
import { plan } from "./commands/plan.js";
import { type RunOptions, run } from "./commands/run.js";
import { schema } from "./commands/schema.js";
import { slo } from "./commands/slo.js";
import { status } from "./commands/status.js";
import { token } from "./commands/token.js";
import { validate } from "./commands/validate.js";
import { COMMANDS, commandHelp, GLOBAL_OPTIONS, OPTIONS, type OptionSpec, usage } from "./commands.js";
import { describeFileError, EnvironmentError, type Io, UsageError } from "./context.js";
import { buildAlerter, buildSinks } from "./setup.js";

export type { Io } from "./context.js";

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

/** String options whose default the command reads (others show theirs in help, and mean "not given"). */
const APPLIED_DEFAULTS = new Set(["checks", "location", "state", "latency", "group-by", "title"]);

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(command: string, args: string[]): { values: Values; positionals: string[] } {
  const names = [...(COMMANDS[command]?.options ?? []), ...GLOBAL_OPTIONS];
  const options = Object.fromEntries(
    names.map((name) => {
      const o = OPTIONS[name] as OptionSpec;
      const withDefault =
        o.default !== undefined && (o.type === "boolean" || APPLIED_DEFAULTS.has(name))
          ? { default: o.default }
          : {};
      return [
        name,
        {
          type: o.type,
          ...(o.multiple ? { multiple: true } : {}),
          ...(o.short ? { short: o.short } : {}),
          ...withDefault,
        },
      ];
    }),
  );
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: options as never }) as {
      values: Values;
      positionals: string[];
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'(-{1,2}[^' ]+)/.exec((error as Error).message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const bare = flag.replace(/^-+/, "");
      const owners = Object.entries(COMMANDS)
        .filter(([, c]) => c.options.includes(bare))
        .map(([name]) => name);
      if (owners.length > 0)
        throw new UsageError(
          `${flag} is an option of watchpost ${owners.join(", ")}, not of watchpost ${command}`,
        );
      const suggestion = didYouMean(bare, names);
      throw new UsageError(
        `watchpost ${command} has no option ${flag}${suggestion ? `; did you mean --${suggestion}?` : ""} (see watchpost ${command} --help)`,
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const o = OPTIONS[flag.replace(/^-+/, "")];
      throw new UsageError(
        o?.type === "boolean"
          ? `${flag} takes no value`
          : `${flag} expects a value (${o?.value ?? "a value"})`,
      );
    }
    throw error;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("-")) {
    if (argv.includes("--version")) {
      io.stdout.write(`watchpost ${VERSION}\n`);
      return 0;
    }
    const asked = argv.includes("--help") || argv.includes("-h");
    (asked ? io.stdout : io.stderr).write(usage());
    if (!asked && first !== undefined) throw new UsageError(`expected a command first, found "${first}"`);
    return asked ? 0 : 2;
  }
  if (first === "help") {
    const topic = rest[0];
    if (topic && COMMANDS[topic]) io.stdout.write(commandHelp(topic));
    else io.stdout.write(usage());
    return 0;
  }
  const command = first;
  if (!COMMANDS[command]) {
    const suggestion = didYouMean(command, Object.keys(COMMANDS));
    throw new UsageError(
      `unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
    );
  }
  const { values, positionals } = parse(command, rest);
  if (values.help) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  if (values.version) {
    io.stdout.write(`watchpost ${VERSION}\n`);
    return 0;
  }
  const named = command === "ping" || command === "token";
  const maxPositionals = command === "init" || named ? 1 : 0;
  if (named && positionals.length === 0)
    throw new UsageError(
      `watchpost ${command} needs the heartbeat check's name (see watchpost ${command} --help)`,
    );
  if (positionals.length > maxPositionals)
    throw new UsageError(
      `unexpected argument "${positionals[maxPositionals]}" (see watchpost ${command} --help)`,
    );
  const text = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => values[name] === true;
  /** `--check-metrics on|off`, or undefined: as a deployment would decide. */
  const checkMetrics = (): boolean | undefined => {
    const value = text("check-metrics");
    if (value === undefined) return undefined;
    if (value === "on" || value === "off") return value === "on";
    throw new UsageError(`--check-metrics expects on or off, found "${value}"`);
  };
  const checks = text("checks") ?? "checks";
  /** History beside --state: what run writes, and slo and status read. */
  const history = () => new FileHistory(besideStateFile(path.resolve(text("state") as string), "history"));
  switch (command) {
    case "init":
      return init(positionals[0] ?? ".", io);
    case "validate":
      return validate(checks, { json: flag("json"), deploy: flag("deploy") }, io);
    case "schema":
      return schema(text("out"), io);
    case "notify":
      return notify({ webhook: text("webhook"), channels: text("channels"), test: flag("test") }, io);
    case "slo":
      return slo(
        checks,
        {
          json: flag("json"),
          only: splitList(values.only as string[] | undefined),
          history: history(),
        },
        io,
      );
    case "status":
      return status(
        checks,
        {
          out: text("out"),
          groupBy: text("group-by") ?? "team",
          title: text("title") ?? "Status",
          history: history(),
        },
        io,
      );
    case "ping":
      return ping(
        {
          name: positionals[0] as string,
          start: flag("start"),
          fail: flag("fail"),
          exitCode: text("exit-code"),
          size: text("size"),
          log: text("log"),
          url: text("url"),
          tokenFile: text("token-file"),
          state: text("state") as string,
          stdin: process.stdin,
        },
        io,
      );
    case "token":
      return token(
        {
          name: positionals[0] as string,
          keyFile: text("key-file"),
          state: text("state") as string,
          stdin: process.stdin,
        },
        io,
      );
    case "cost":
      return cost(
        checks,
        {
          latency: text("latency") ?? "300ms",
          checkMetrics: checkMetrics(),
          prometheus: flag("prometheus") || flag("amp"),
          amp: flag("amp"),
          locations: splitList(values.locations === undefined ? [] : [text("locations") as string]),
          json: flag("json"),
        },
        io,
      );
    case "plan":
      return plan(
        checks,
        {
          json: flag("json"),
          latency: text("latency") ?? "300ms",
          checkMetrics: checkMetrics(),
          prometheus: flag("prometheus"),
          locations: splitList(values.locations === undefined ? [] : [text("locations") as string]),
          maxChecksPerShard: wholeNumber("max-checks-per-shard", text("max-checks-per-shard"), 1) ?? 200,
        },
        io,
      );
  }
  const concurrency = wholeNumber("concurrency", text("concurrency"), 1);
  if (command === "run") await verifyStateFile(text("state") as string);
  const listen = text("listen");
  if (listen !== undefined && !flag("watch"))
    throw new UsageError("--listen serves heartbeat pings while --watch runs the checks; add --watch");
  const listenAt = listen === undefined ? undefined : parseListen(listen);
  if (listen !== undefined && !listenAt)
    throw new UsageError(`--listen expects HOST:PORT such as 127.0.0.1:8787, found "${listen}"`);
  const options: RunOptions = {
    json: flag("json"),
    watch: flag("watch"),
    wide: flag("wide"),
    concurrency,
    only: splitList(values.only as string[] | undefined),
    location: text("location") ?? "local",
    ...(command === "run" && text("locations") !== undefined
      ? {
          locations: {
            names: splitList([text("locations") as string]),
            records: new FileRunRecords(besideStateFile(path.resolve(text("state") as string), "runs")),
          },
        }
      : {}),
    ...(command === "run"
      ? {
          history: history(),
          heartbeats: {
            store: new FileHeartbeats(besideStateFile(path.resolve(text("state") as string), "pings")),
            keyFile: keyFileFor(path.resolve(text("state") as string)),
            ...(listenAt ? { listen: listenAt } : {}),
          },
        }
      : {}),
    sinks: await buildSinks(values, io),
    alerter: buildAlerter(
      command === "demo" ? undefined : text("state"),
      { webhook: text("webhook"), channels: text("channels") },
      text("location") ?? "local",
      io,
      alertingOptions(values as { json?: boolean; "group-threshold"?: string }),
    ),
  };
  return command === "demo" ? demo(options, io) : run(checks, options, io);
}

/** A whole-number option of at least `min`, or undefined when not given. */
function wholeNumber(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} expects a whole number of at least ${min}, found "${raw}"`);
  return n;
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
