/**
 * Sinks turn results into the outside world's formats. Each runs on its own: one that fails is
 * reported with its reason and counted, and never blocks or fails another.
 */
import type { CheckResult } from "../result.js";

export interface SinkContext {
  /** Epoch ms by which the sink must have finished, retries included. */
  deadline: number;
  /** The run's start: every sample of the run is stamped with it (never later than now). */
  runStartedAt: number;
  /** Where the probes ran: the AWS region, or `local`. */
  location: string;
  /** Aborted when the run must end now: every request the sink makes takes it. */
  signal?: AbortSignal;
  /** The shard whose run this is (the deployed monitor, `--watch`): sinks write its heartbeat. */
  shard?: { id: string; intervalMs: number };
  /**
   * Set when the results are a slow shard's latest, sent again (lib/runtime/freshness.ts): the run
   * started then; `runStartedAt` is the time of sending. Per-run measurements are not sent again.
   */
  refreshOf?: number;
}

export interface SinkReport {
  sink: string;
  ok: boolean;
  /** Samples (or datums) handed to the sink, and how many of them did not arrive. */
  samples: number;
  failedSamples: number;
  requests: number;
  retries: number;
  durationMs: number;
  /** Why it failed, in one line: `400 Bad Request from … (not retried): out of bounds`. */
  error?: string;
}

export interface Sink {
  /** `remote-write https://…`, `cloudwatch Watchpost`: names the sink in reports. */
  readonly name: string;
  write(results: readonly CheckResult[], context: SinkContext): Promise<SinkReport>;
  /** Releases connections when the process is done with the sink. */
  close?(): Promise<void>;
}

/**
 * Counts what a sink's requests did, request by request, and turns the count into its report;
 * `part` names what one request carries (`batches`, `bodies`) in the error line.
 */
export class DeliveryTally {
  private readonly started = performance.now();
  private requests = 0;
  private retries = 0;
  private failedSamples = 0;
  private readonly errors: string[] = [];

  constructor(
    private readonly sink: string,
    private readonly part: string,
  ) {}

  /** Samples that could not even be encoded (a label the format forbids): left out alone, and said. */
  drop(samples: number, error: string): void {
    this.failedSamples += samples;
    this.errors.push(`dropped: ${error}`);
  }

  /** One request's outcome: how many attempts it took and, if it never arrived, its samples and why. */
  record(attempts: number, failure?: { samples: number; error: string }): void {
    this.requests += attempts;
    // A request the deadline left no time to start made no attempt, and no retry either.
    this.retries += Math.max(0, attempts - 1);
    if (failure) {
      this.failedSamples += failure.samples;
      this.errors.push(failure.error);
    }
  }

  report(samples: number): SinkReport {
    const [first] = this.errors;
    const more = this.errors.length - 1;
    return {
      sink: this.sink,
      ok: this.errors.length === 0,
      samples,
      failedSamples: this.failedSamples,
      requests: this.requests,
      retries: this.retries,
      durationMs: performance.now() - this.started,
      ...(first !== undefined
        ? { error: more > 0 ? `${first} (and ${more} more ${this.part})` : first }
        : {}),
    };
  }
}

/** One line per sink for people: what arrived, or why it did not. */
export function formatReport(report: SinkReport): string {
  const requests = `${report.requests} request${report.requests === 1 ? "" : "s"}`;
  const retries = `${report.retries} retr${report.retries === 1 ? "y" : "ies"}`;
  const took = `${Math.round(report.durationMs)}ms`;
  if (report.ok) return `${report.sink}: ${report.samples} samples sent in ${requests}, ${retries} (${took})`;
  return `${report.sink}: FAILED, ${report.failedSamples} of ${report.samples} samples not delivered (${requests}, ${retries}, ${took}): ${report.error}`;
}
