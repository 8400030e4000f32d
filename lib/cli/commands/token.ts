/**
 * `watchpost token NAME`: the ping token a heartbeat check's job must send, derived from the local
 * key beside the state file, or from the deployment's key (`--key-file -` reads it from standard
 * input, as `aws secretsmanager get-secret-value` prints it).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { deriveToken, keyFileFor } from "../../heartbeat/token.js";
import { command } from "../command.js";
import { type Io, UsageError } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { shared } from "../options.js";

export const tokenCommand = command({
  name: "token",
  summary: "Print a heartbeat check's ping token",
  usage: "watchpost token NAME [options]",
  argument: { required: true, missing: "the heartbeat check's name" },
  options: {
    "key-file": {
      type: "string",
      value: "FILE",
      help: "The heartbeat key (the deployment's secret; - reads standard input). Default: the local key beside --state",
    },
    checks: shared.checks,
    state: shared.state,
  },
  examples: [
    "watchpost token nightly-backup",
    "aws secretsmanager get-secret-value --secret-id ARN --query SecretString --output text | watchpost token nightly-backup --key-file -",
  ],
  exits: ["2: no heartbeat check of that name in --checks, a problem in a check file, or no key"],
  run: ({ values, argument }, io) =>
    token(
      {
        name: argument as string,
        checks: values.checks,
        keyFile: values["key-file"],
        state: values.state,
        stdin: process.stdin,
      },
      io,
    ),
});

export async function token(
  options: {
    name: string;
    checks: string;
    keyFile: string | undefined;
    state: string;
    stdin?: AsyncIterable<Buffer | string>;
  },
  io: Io,
): Promise<number> {
  // A token for a name no heartbeat check has would look valid and be refused by every ping.
  const loaded = await loadChecks(path.resolve(options.checks));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  const heartbeats = loaded.checks.filter((check) => check.kind === "heartbeat").map((check) => check.name);
  if (!heartbeats.includes(options.name))
    throw new UsageError(
      `no heartbeat check named ${options.name} in ${options.checks}${heartbeats.length > 0 ? ` (its heartbeat checks: ${heartbeats.join(", ")})` : " (it has no heartbeat check)"}`,
    );
  let key: string;
  if (options.keyFile === "-") {
    if (!options.stdin) throw new UsageError("--key-file - reads standard input, and there is none");
    let text = "";
    for await (const chunk of options.stdin) {
      text += chunk.toString();
      if (text.length > 10_000) throw new UsageError("--key-file -: standard input holds more than a key");
    }
    key = text.trim();
  } else {
    const file = options.keyFile ?? keyFileFor(path.resolve(options.state));
    if (options.keyFile === undefined && !existsSync(file))
      throw new UsageError(
        `no local heartbeat key at ${file}: watchpost run --watch --listen makes one; for a deployment, give its key with --key-file (see watchpost plan)`,
      );
    key = (await readFile(file, "utf8")).trim();
  }
  if (!key) throw new UsageError("the heartbeat key is empty");
  io.stdout.write(`${deriveToken(key, options.name)}\n`);
  return 0;
}
