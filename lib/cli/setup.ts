/**
 * The run's parts from the command line: sinks (remote-write, CloudWatch) and alerting (a state
 * file, a webhook or the console). Sinks are sources, built inside the run's isolation like the
 * deployed function's: a credentials file that cannot be read is a usage error at once, but a
 * receiver that cannot be reached is a failed sink in the run's summary.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Alerter } from "../alerting/alerter.js";
import { ChannelsFileError, loadChannels } from "../alerting/channels/config.js";
import {
  type ChannelSpec,
  channelNotifier,
  type Route,
  RoutedNotifier,
} from "../alerting/notifiers/channel.js";
import { ConsoleNotifier } from "../alerting/notifiers/local.js";
import type { Notifier } from "../alerting/notifiers/notifier.js";
import { localClaimant } from "../alerting/outbox.js";
import { FileStore } from "../alerting/stores/file.js";
import { MemoryStore } from "../alerting/stores/store.js";
import { sdkProxy } from "../aws/proxy-agents.js";
import { envResolver } from "../checks/references.js";
import { INSTANCE_MODES, type InstanceMode } from "../metrics/series.js";
import { lazySink, type SinkSource } from "../runtime/pipeline.js";
import { CloudWatchSink } from "../sinks/cloudwatch.js";
import { OtlpSettingError, otlpSettings } from "../sinks/otlp/config.js";
import type { OtlpOptions } from "../sinks/otlp/index.js";
import { type RemoteWriteCredentials, remoteWriteSink } from "../sinks/remote-write/credentials.js";
import { RemoteWriteConfigError } from "../sinks/remote-write/index.js";
import { EnvironmentError, type Io, UsageError } from "./context.js";

type Values = Record<string, string | boolean | string[] | undefined>;

/** The sinks the flags ask for; AWS pieces are loaded only when asked for. */
export async function buildSinks(values: Values, io: Io): Promise<SinkSource[]> {
  const sinks: SinkSource[] = [];
  const url = values["remote-write"] as string | undefined;
  const remoteWriteFlags = Object.keys(values).filter(
    (key) => key.startsWith("remote-write-") && values[key] !== undefined,
  );
  if (!url && remoteWriteFlags.length > 0)
    throw new UsageError(`--${remoteWriteFlags[0]} needs --remote-write URL`);
  for (const flag of ["job", "instance"])
    if (!url && values[flag] !== undefined) throw new UsageError(`--${flag} needs --remote-write URL`);
  const instance = values.instance as string | undefined;
  if (instance !== undefined && !INSTANCE_MODES.includes(instance as InstanceMode))
    throw new UsageError(`--instance: expected ${INSTANCE_MODES.join(" or ")}, found "${instance}"`);
  const job = values.job as string | undefined;
  if (job !== undefined && job.trim() === "") throw new UsageError("--job: expected a name, found nothing");
  if (url) {
    const credentials = await remoteWriteCredentials(values);
    const log = (line: string) => io.stderr.write(`${line}\n`);
    try {
      // Built now, so a malformed URL or a clash of options is a usage error before any probe runs.
      const sink = await remoteWriteSink(url, credentials, log, {
        ...(job !== undefined ? { job } : {}),
        ...(instance !== undefined ? { instance: instance as InstanceMode } : {}),
      });
      sinks.push(lazySink(sink.name, () => sink));
    } catch (error) {
      if (error instanceof RemoteWriteConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  const otlp = otlpOptions(values.otlp as string | undefined);
  if (otlp) {
    // The encoder (OpenTelemetry's own) is loaded only when OTLP is asked for.
    const { OtlpSink } = await import("../sinks/otlp/index.js");
    const sink = new OtlpSink(otlp);
    sinks.push(lazySink(sink.name, () => sink));
  }
  const cloudwatchFlags = ["cloudwatch-namespace", "cloudwatch-phases", "cloudwatch-high-resolution"].filter(
    (key) => values[key] !== undefined && values[key] !== false,
  );
  if (!values.cloudwatch && cloudwatchFlags.length > 0)
    throw new UsageError(`--${cloudwatchFlags[0]} needs --cloudwatch`);
  if (values.cloudwatch) {
    const namespace = (values["cloudwatch-namespace"] as string | undefined) ?? "Watchpost";
    sinks.push(
      lazySink(`cloudwatch ${namespace}`, async () => {
        const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
        return new CloudWatchSink({
          // The sink retries throttling itself, within the run's deadline; the SDK must not multiply that.
          client: new CloudWatchClient({ maxAttempts: 1, ...sdkProxy() }),
          namespace,
          phases: Boolean(values["cloudwatch-phases"]),
          highResolution: Boolean(values["cloudwatch-high-resolution"]),
        });
      }),
    );
  }
  return sinks;
}

/** `--otlp URL` and the standard OTEL_EXPORTER_OTLP_* variables; a bad one is a usage error. */
function otlpOptions(flag: string | undefined): OtlpOptions | undefined {
  try {
    return otlpSettings(flag, process.env);
  } catch (error) {
    if (error instanceof OtlpSettingError) throw new UsageError(error.message);
    throw error;
  }
}

async function remoteWriteCredentials(values: Values): Promise<RemoteWriteCredentials> {
  const headers: Record<string, string> = {};
  for (const pair of (values["remote-write-header"] as string[] | undefined) ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0)
      throw new UsageError(`--remote-write-header expects NAME=VALUE, found "${pair.slice(0, 40)}"`);
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
  return {
    headers,
    ...(bearerFile
      ? { bearerToken: await readSecretFile(bearerFile, "--remote-write-bearer-token-file") }
      : {}),
    ...(basicAuth ? { basicAuth } : {}),
    ...(region ? { sigv4Region: region } : {}),
  };
}

async function readSecretFile(file: string, flag: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(error as { code?: string }).code ?? error})`);
  }
}

/**
 * Where notifications go locally: `--webhook URL` and the channels of `--channels FILE` (their
 * `${env:…}` references resolved when sending). Undefined when neither is given (they are printed).
 */
export function buildNotifier(destinations: Destinations): Notifier | undefined {
  const channels = channelNotifiers(destinations);
  if (channels.length === 0) return undefined;
  return channels.length === 1 && !channels[0]?.route
    ? (channels[0]?.notifier as Notifier)
    : new RoutedNotifier(channels);
}

interface Destinations {
  webhook?: string | undefined;
  channels?: string | undefined;
  /** The deciding location: Alertmanager's `location` label. */
  location?: string | undefined;
}

/** Each destination on its own, with its route: `notify --test` says what became of each. */
export function channelNotifiers(destinations: Destinations): { notifier: Notifier; route?: Route }[] {
  const specs: ChannelSpec[] = [];
  if (destinations.webhook !== undefined) {
    try {
      const url = new URL(destinations.webhook);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw new UsageError("--webhook expects an http:// or https:// URL");
    }
    specs.push({ kind: "webhook", target: destinations.webhook });
  }
  if (destinations.channels !== undefined) {
    try {
      specs.push(...loadChannels(destinations.channels));
    } catch (error) {
      if (error instanceof ChannelsFileError) throw new EnvironmentError(error.message);
      throw error;
    }
  }
  const resolvers = { env: envResolver };
  return specs.map((spec) => ({
    notifier: channelNotifier(spec, resolvers, destinations.location ?? "local"),
    ...(spec.route ? { route: spec.route } : {}),
  }));
}

/**
 * Alerting as in AWS, with local parts: state in a file (in memory for the demo), transitions POSTed
 * to a webhook or printed.
 */
export function buildAlerter(
  stateFile: string | undefined,
  destinations: { webhook?: string | undefined; channels?: string | undefined },
  location: string,
  io: Io,
  options: { json: boolean; groupThreshold?: number },
): Alerter {
  const out = options.json ? io.stderr : io.stdout;
  return new Alerter({
    store: stateFile ? new FileStore(path.resolve(stateFile)) : new MemoryStore(),
    notifier:
      buildNotifier({ ...destinations, location }) ?? new ConsoleNotifier((line) => out.write(`${line}\n`)),
    location,
    // A run killed mid-delivery leaves claims the next process on this machine sees are dead.
    owner: localClaimant(),
    ...(options.groupThreshold !== undefined ? { groupThreshold: options.groupThreshold } : {}),
    onDeadLetter: (letter) =>
      io.stderr.write(
        `alerts: gave up on ${letter.transition.type} ${letter.transition.check} (${letter.transition.dedupKey}) after ${letter.failedAttempts} attempt(s): ${letter.error}\n`,
      ),
  });
}
