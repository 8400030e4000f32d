/**
 * `watchpost token NAME`: the ping token a heartbeat check's job must send, derived from the local
 * key beside the state file, or from the deployment's key (`--key-file -` reads it from standard
 * input, as `aws secretsmanager get-secret-value` prints it).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { deriveToken, keyFileFor } from "../../heartbeat/token.js";
import { type Io, UsageError } from "../context.js";

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
