/**
 * `watchpost ping NAME`: what a job's script calls to tell its heartbeat check it started, finished
 * or failed, with what it produced and the tail of its log. Tried three times (network errors and
 * 5xx answers), each bounded to 10 seconds; the endpoint's answer is printed.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pause } from "../../deadline.js";
import { isAbort } from "../../errors.js";
import { LOG_TAIL_BYTES, logTail } from "../../heartbeat/record.js";
import { deriveToken, keyFileFor, localKey } from "../../heartbeat/token.js";
import { sharedClient } from "../../http/client.js";
import { ProxyError } from "../../http/proxy.js";
import { command } from "../command.js";
import { type Io, UsageError } from "../context.js";
import { shared } from "../options.js";

export const DEFAULT_PING_URL = "http://127.0.0.1:8787";

export const pingCommand = command({
  name: "ping",
  summary: "Tell a heartbeat check that its job ran (for scripts, cron, CI)",
  usage: "watchpost ping NAME [options]",
  argument: { required: true, missing: "the heartbeat check's name" },
  options: {
    start: { type: "boolean", help: "The job is starting (its duration is measured from here)" },
    fail: { type: "boolean", help: "The job failed" },
    "exit-code": {
      type: "string",
      value: "N",
      help: "The job's exit code: 0 is a success, anything else a failure",
    },
    size: {
      type: "string",
      value: "BYTES",
      help: "What the job produced, in bytes (expect.minSize compares it)",
    },
    log: {
      type: "string",
      value: "FILE",
      help: "Send the job's log (its last 4 KiB are kept and quoted in a failure's notification); - reads standard input",
    },
    url: {
      type: "string",
      value: "URL",
      help: `The ping endpoint: the deployed stack's PingUrl output, or a local --listen address. Default: $WATCHPOST_PING_URL, else ${DEFAULT_PING_URL}`,
    },
    "token-file": {
      type: "string",
      value: "FILE",
      help: "The check's ping token. Default: $WATCHPOST_PING_TOKEN, else derived from the local key beside --state",
    },
    state: shared.state,
  },
  examples: [
    "watchpost ping nightly-backup --start",
    "watchpost ping nightly-backup --size 1048576 --log backup.log",
    "watchpost ping nightly-backup --exit-code $? --url https://abc123.execute-api.eu-west-1.amazonaws.com",
  ],
  exits: [
    "2: a problem with the command line or the token",
    "3: the endpoint refused the ping or could not be reached (after 3 tries)",
  ],
  run: ({ values, argument }, io) =>
    ping(
      {
        name: argument as string,
        start: values.start,
        fail: values.fail,
        exitCode: values["exit-code"],
        size: values.size,
        log: values.log,
        url: values.url,
        tokenFile: values["token-file"],
        state: values.state,
        stdin: process.stdin,
      },
      io,
    ),
});
const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface PingOptions {
  name: string;
  start: boolean;
  fail: boolean;
  exitCode: string | undefined;
  size: string | undefined;
  log: string | undefined;
  url: string | undefined;
  tokenFile: string | undefined;
  state: string;
  /** Standard input, for `--log -`. */
  stdin?: AsyncIterable<Buffer | string>;
}

export async function ping(options: PingOptions, io: Io): Promise<number> {
  const action = actionOf(options);
  const size = options.size;
  if (size !== undefined && !/^\d{1,15}$/.test(size))
    throw new UsageError(`--size expects a whole number of bytes, found "${size}"`);
  const base = options.url ?? process.env.WATCHPOST_PING_URL ?? DEFAULT_PING_URL;
  let url: URL;
  try {
    url = new URL(
      `ping/${encodeURIComponent(options.name)}${action ? `/${action}` : ""}`,
      base.endsWith("/") ? base : `${base}/`,
    );
  } catch {
    throw new UsageError(`--url expects an http:// or https:// URL, found "${base}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--url expects an http:// or https:// URL, found "${base}"`);
  if (size !== undefined) url.searchParams.set("size", size);
  const token = await tokenOf(options);
  const body = options.log === undefined ? undefined : await readLog(options.log, options.stdin);
  for (let attempt = 1; ; attempt++) {
    let answer: { status: number; text: string } | undefined;
    let failure: string | undefined;
    try {
      // Through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host, as every outbound call.
      const response = await sharedClient().request({
        url,
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain; charset=utf-8" },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      answer = { status: response.status, text: response.body.toString("utf8").trim().slice(0, 500) };
    } catch (error) {
      const err = error as Error & { code?: string };
      failure = isAbort(err)
        ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000}s`
        : err instanceof ProxyError
          ? err.message
          : (err.code ?? err.message);
    }
    if (answer && answer.status < 300) {
      io.stdout.write(`${answer.text}\n`);
      return 0;
    }
    const retry = attempt < ATTEMPTS && (failure !== undefined || (answer?.status ?? 0) >= 500);
    const said = answer ? `answered ${answer.status}: ${answer.text}` : `could not be reached: ${failure}`;
    if (!retry) {
      io.stderr.write(`watchpost: ${url.origin}${url.pathname} ${said}\n`);
      return 3;
    }
    io.stderr.write(`watchpost: ${url.origin}${url.pathname} ${said}; trying again\n`);
    await pause(1_000 * attempt);
  }
}

/** The path's last segment: start, fail, an exit code, or none (success). */
function actionOf(options: PingOptions): string | undefined {
  const given = [
    options.start && "--start",
    options.fail && "--fail",
    options.exitCode !== undefined && "--exit-code",
  ].filter(Boolean);
  if (given.length > 1)
    throw new UsageError(`give one of --start, --fail and --exit-code, found ${given.join(" and ")}`);
  if (options.start) return "start";
  if (options.fail) return "fail";
  if (options.exitCode !== undefined) {
    if (!/^\d{1,3}$/.test(options.exitCode) || Number(options.exitCode) > 255)
      throw new UsageError(`--exit-code expects a whole number from 0 to 255, found "${options.exitCode}"`);
    return String(Number(options.exitCode));
  }
  return undefined;
}

async function tokenOf(options: PingOptions): Promise<string> {
  if (options.tokenFile !== undefined) {
    const token = (await readFile(options.tokenFile, "utf8")).trim();
    if (!token) throw new UsageError(`--token-file ${options.tokenFile} is empty`);
    return token;
  }
  const fromEnv = process.env.WATCHPOST_PING_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const keyFile = keyFileFor(path.resolve(options.state));
  if (!existsSync(keyFile))
    throw new UsageError(
      `no token for ${options.name}: give --token-file FILE or set WATCHPOST_PING_TOKEN (watchpost token ${options.name} prints it), or start watchpost run --watch --listen first, which makes the local key ${keyFile}`,
    );
  return deriveToken(await localKey(keyFile), options.name);
}

/** The log's tail: only the last LOG_TAIL_BYTES are kept by the endpoint, so only they are sent. */
async function readLog(file: string, stdin: AsyncIterable<Buffer | string> | undefined): Promise<string> {
  if (file !== "-") return logTail(await readFile(file, "utf8"));
  if (!stdin) throw new UsageError("--log - reads standard input, and there is none");
  let kept = "";
  for await (const chunk of stdin) {
    kept += chunk.toString();
    // Bounded however long the input: keep a little more than the tail until the end.
    if (kept.length > 4 * LOG_TAIL_BYTES) kept = kept.slice(-2 * LOG_TAIL_BYTES);
  }
  return logTail(kept);
}
