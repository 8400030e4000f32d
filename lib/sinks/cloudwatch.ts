/**
 * The CloudWatch sink: PutMetricData in batches within the API's limits, dimensions Check and Kind,
 * proper units, throttling and server errors retried a bounded number of times.
 */
import type { MetricDatum, PutMetricDataCommand, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { callSignal } from "../deadline.js";
import { isAbort } from "../errors.js";
import type { CheckResult } from "../result.js";
import { PHASES } from "../result.js";
import {
  type Attempt,
  type BackoffOptions,
  CLOUDWATCH_ATTEMPTS,
  retryableAwsError,
  retrying,
  SINK_BACKOFF,
} from "../retry.js";
import { formatDuration } from "../units.js";
import { DeliveryTally, type Sink, type SinkContext, type SinkReport } from "./sink.js";

/** PutMetricData's limits: 1,000 datums and 1 MB per request. */
const MAX_DATUMS = 1_000;
const MAX_REQUEST_BYTES = 1_000_000;

export interface CloudWatchLike {
  send(command: PutMetricDataCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export interface CloudWatchOptions {
  /** Injected: a CloudWatchClient (with its own retries off: this sink retries). */
  client: CloudWatchLike;
  /** Default `Watchpost`. */
  namespace?: string;
  /** One-second storage resolution (costs more). Default false. */
  highResolution?: boolean;
  /** Also publish per-phase HTTP durations (five more custom metrics per HTTP check). Default false. */
  phases?: boolean;
  /**
   * Also put `Results` (how many results this run published) with an `Interval` dimension: the
   * deployed monitor's heartbeat alarm watches it.
   */
  heartbeatInterval?: string;
  /**
   * Per-check metrics (Success, Duration …). Off leaves only the heartbeat: each distinct metric is
   * a CloudWatch custom metric billed monthly, which Prometheus users may not want. Default true.
   */
  checkMetrics?: boolean;
  /** Attempts per request, the first included. Default 4 (lib/retry.ts). */
  maxAttempts?: number;
  /** Longest wait for one PutMetricData answer. Default 10s; never past the run's deadline. */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
}

export class CloudWatchSink implements Sink {
  readonly name: string;

  constructor(private readonly options: CloudWatchOptions) {
    this.name = `cloudwatch ${options.namespace ?? "Watchpost"}`;
  }

  /** The datums for a batch of results, stamped with the run's time (never later than now). */
  datums(results: readonly CheckResult[], context: SinkContext): MetricDatum[] {
    const timestamp = new Date(Math.min(context.runStartedAt, Date.now()));
    const resolution = this.options.highResolution ? { StorageResolution: 1 } : {};
    const out: MetricDatum[] = [];
    for (const result of this.options.checkMetrics === false ? [] : results) {
      const dimensions = [
        { Name: "Check", Value: result.name },
        { Name: "Kind", Value: result.kind },
      ];
      const add = (
        MetricName: string,
        Value: number,
        Unit: StandardUnit,
        extra?: { Name: string; Value: string },
      ) =>
        out.push({
          MetricName,
          Value,
          Unit,
          Timestamp: timestamp,
          Dimensions: extra ? [...dimensions, extra] : dimensions,
          ...resolution,
        });
      add("Success", result.status === "up" || result.status === "degraded" ? 1 : 0, "None");
      // Sent again between a slow check's runs (context.refreshOf): what the check found still holds,
      // but the run's measurements were made once and are not counted twice.
      const again = context.refreshOf !== undefined;
      if (!again) add("Duration", result.durationMs, "Milliseconds");
      // Only for runs that retried: a custom metric is billed for the months it has data, so a check
      // pays for it only when it flaked.
      if (result.attempts > 1 && !again) add("Retries", result.attempts - 1, "Count");
      if (result.facts?.httpStatus !== undefined) add("HttpStatusCode", result.facts.httpStatus, "None");
      if (result.facts?.certificate) {
        const left = (Date.parse(result.facts.certificate.earliestNotAfter) - timestamp.getTime()) / 1000;
        add("CertificateExpiry", Math.round(left), "Seconds");
      }
      if (result.facts?.backup) add("BackupAge", result.facts.backup.ageSeconds, "Seconds");
      if (result.facts?.heartbeat?.lastPingAgeSeconds !== undefined)
        add("HeartbeatAge", result.facts.heartbeat.lastPingAgeSeconds, "Seconds");
      if (this.options.phases && !again) {
        for (const phase of PHASES) {
          const ms = result.phases?.[phase];
          if (ms !== undefined) add("PhaseDuration", ms, "Milliseconds", { Name: "Phase", Value: phase });
        }
      }
    }
    if (this.options.heartbeatInterval && results.length > 0 && context.refreshOf === undefined) {
      out.push({
        MetricName: "Results",
        Value: results.length,
        Unit: "Count",
        Timestamp: timestamp,
        Dimensions: [{ Name: "Interval", Value: this.options.heartbeatInterval }],
        ...resolution,
      });
    }
    return out;
  }

  async write(results: readonly CheckResult[], context: SinkContext): Promise<SinkReport> {
    const tally = new DeliveryTally(this.name, "batches");
    const datums = this.datums(results, context);
    for (const batch of batches(datums)) {
      const outcome = await this.put(batch, context.deadline, context.signal);
      tally.record(
        outcome.attempts,
        outcome.error ? { samples: batch.length, error: outcome.error } : undefined,
      );
    }
    return tally.report(datums.length);
  }

  private put(
    batch: MetricDatum[],
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ attempts: number; error?: string }> {
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    return retrying(
      async (): Promise<Attempt> => {
        const sent = Date.now();
        try {
          const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
          await this.options.client.send(
            new PutMetricDataCommand({ Namespace: this.options.namespace ?? "Watchpost", MetricData: batch }),
            { abortSignal: callSignal(deadline, signal, timeoutMs) },
          );
          return { ok: true };
        } catch (error) {
          const err = error as Error & { $metadata?: { httpStatusCode?: number } };
          // An unanswered request is sent again at once: the wait was its pause.
          if (isAbort(err))
            return {
              ok: false,
              retry: true,
              error: `no answer from PutMetricData within ${formatDuration(Date.now() - sent)}`,
              retryAfterMs: 0,
            };
          const status = err.$metadata?.httpStatusCode;
          return {
            ok: false,
            retry: retryableAwsError(err),
            error: `${err.name}${status ? ` (HTTP ${status})` : ""}: ${err.message}`,
          };
        }
      },
      {
        attempts: this.options.maxAttempts ?? CLOUDWATCH_ATTEMPTS,
        backoff: SINK_BACKOFF,
        tuning: this.options.backoff,
        deadline,
        signal,
      },
    );
  }
}

/** A conservative size of a datum on the wire (the query protocol repeats every member name). */
function datumBytes(datum: MetricDatum): number {
  return 2 * JSON.stringify(datum).length + 200;
}

function* batches(datums: MetricDatum[]): Generator<MetricDatum[]> {
  let batch: MetricDatum[] = [];
  let bytes = 0;
  for (const datum of datums) {
    const size = datumBytes(datum);
    if (batch.length > 0 && (batch.length >= MAX_DATUMS || bytes + size > MAX_REQUEST_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(datum);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
