/**
 * `watchpost token NAME`: the ping token a heartbeat check's job must send, derived from the local
 * key beside the state file, or from the deployment's key (`--key-file -` reads it from standard
 * input, as `aws secretsmanager get-secret-value` prints it).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { deriveToken, keyFileFor } from "../../heartbeat/token.js";
import { command } from "../command.js";
import { type Io, UsageError } from "../context.js";
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
    state: shared.state,
  },
  examples: [
    "watchpost token nightly-backup",
    "aws secretsmanager get-secret-value --secret-id ARN --query SecretString --output text | watchpost token nightly-backup --key-file -",
  ],
  exits: ["2: no key (none beside --state and no --key-file)"],
  run: ({ values, argument }, io) =>
    token(
      { name: argument as string, keyFile: values["key-file"], state: values.state, stdin: process.stdin },
      io,
    ),
});

export async function token(
  options: {
    name: string;
    keyFile: string | undefined;
    state: string;
    stdin?: AsyncIterable<Buffer | string>;
  },
  io: Io,
): Promise<number> {
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
