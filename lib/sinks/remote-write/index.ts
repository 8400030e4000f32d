/**
 * The Prometheus remote-write 1.0 sink: spec-exact bodies and headers, retries on 5xx and 429 with
 * capped, jittered backoff bounded by the run's deadline, never a retry on any other 4xx.
 */

import { withTimeout } from "../../deadline.js";
import { HttpClient } from "../../http/client.js";
import { heartbeatSeries, type JobLabels, type Series, toSeries } from "../../metrics/series.js";
import { redactUrl } from "../../redact.js";
import type { CheckResult } from "../../result.js";
import {
  type Attempt,
  type BackoffOptions,
  REMOTE_WRITE_MIN_ATTEMPT_MS,
  retryableStatus,
  retrying,
  SINK_BACKOFF,
} from "../../retry.js";
import { USER_AGENT } from "../../version.js";
import { retryAfter, unanswered } from "../attempt.js";
import { DeliveryTally, type Sink, type SinkContext, type SinkReport } from "../sink.js";
import { type Body, compress, WriteRequestEncoder } from "./encode.js";
import type { RequestSigner } from "./sigv4.js";

/** Set by Watchpost on every request; user headers may not replace them. */
const PROTOCOL_HEADERS: Record<string, string> = {
  "content-encoding": "snappy",
  "content-type": "application/x-protobuf",
  "x-prometheus-remote-write-version": "0.1.0",
  "user-agent": USER_AGENT,
};

export interface RemoteWriteOptions {
  url: string;
  /** Extra headers, such as `X-Scope-OrgID` for Mimir. */
  headers?: Record<string, string>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  /** Signs each request (SigV4 for Amazon Managed Service for Prometheus). */
  sign?: RequestSigner;
  /** Largest uncompressed body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Longest wait for one response. Default 30s; never past the deadline. */
  requestTimeoutMs?: number;
  /** Bodies in flight at once. Default 4. */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** The `job` label and what `instance` holds. Default `watchpost`, the target. */
  labels?: JobLabels;
  /** Where the receiver's own words go when it rejects a body. Default: stderr. */
  log?: (line: string) => void;
}

export class RemoteWriteConfigError extends Error {
  override name = "RemoteWriteConfigError";
}

export class RemoteWriteSink implements Sink {
  readonly name: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly encoder = new WriteRequestEncoder();
  private readonly client: HttpClient;

  constructor(private readonly options: RemoteWriteOptions) {
    try {
      this.url = new URL(options.url);
    } catch {
      throw new RemoteWriteConfigError(`remote-write URL "${redactUrl(options.url)}" is not an absolute URL`);
    }
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") {
      throw new RemoteWriteConfigError(
        `remote-write URL "${redactUrl(options.url)}" must be http:// or https://`,
      );
    }
    // Credentials in the URL are basic auth, as Prometheus' own clients read them; never part of a name.
    const userinfo =
      this.url.username || this.url.password
        ? { username: decodeURIComponent(this.url.username), password: decodeURIComponent(this.url.password) }
        : undefined;
    this.url.username = "";
    this.url.password = "";
    this.name = `remote-write ${redactUrl(this.url)}`;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const key = name.toLowerCase();
      if (key in PROTOCOL_HEADERS) {
        throw new RemoteWriteConfigError(
          `remote-write header ${name} is set by Watchpost as the protocol requires`,
        );
      }
      headers[key] = value;
    }
    const basicAuth = options.basicAuth ?? userinfo;
    const auth = [options.bearerToken, basicAuth, options.sign].filter((a) => a !== undefined);
    if (auth.length > 1)
      throw new RemoteWriteConfigError(
        "choose one remote-write authentication: bearer token, basic (a file or user:password in the URL) or SigV4",
      );
    if (options.bearerToken !== undefined) headers.authorization = `Bearer ${options.bearerToken}`;
    if (basicAuth) {
      const { username, password } = basicAuth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    }
    this.headers = { ...headers, ...PROTOCOL_HEADERS };
    this.client = new HttpClient({ connections: options.concurrency ?? 4 });
  }

  async write(results: readonly CheckResult[], context: SinkContext): Promise<SinkReport> {
    const options = { ...this.options.labels, location: context.location, timestampMs: context.runStartedAt };
    const series = toSeries(results, options);
    if (context.shard)
      series.push(...heartbeatSeries(context.shard, context.refreshOf ?? context.runStartedAt, options));
    return this.writeSeries(series, context.deadline, context.signal);
  }

  /** Sends `series`; each body is retried on its own until it arrives, is refused, or the deadline passes. */
  async writeSeries(series: readonly Series[], deadline: number, signal?: AbortSignal): Promise<SinkReport> {
    const tally = new DeliveryTally(this.name, "bodies");
    // A sample from the future moves Prometheus' head window and makes every current sample fail.
    const now = Date.now();
    const bodies = this.encoder.encode(
      series,
      this.options.maxBodyBytes ?? 1_048_576,
      (s) => Math.min(s.timestampMs, now),
      (_, error) => tally.drop(1, error.message),
    );
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const index = next++;
        const body = bodies[index] as Body;
        const outcome = await this.deliver(compress(body.bytes), deadline, signal);
        tally.record(
          outcome.attempts,
          outcome.ok ? undefined : { samples: body.samples, error: outcome.error },
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, bodies.length) }, worker));
    return tally.report(series.length);
  }

  private deliver(
    body: Uint8Array,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; attempts: number } | { ok: false; attempts: number; error: string }> {
    return retrying(() => this.attempt(body, deadline, signal), {
      attempts: Number.POSITIVE_INFINITY,
      backoff: SINK_BACKOFF,
      tuning: this.options.backoff,
      deadline,
      minAttemptMs: REMOTE_WRITE_MIN_ATTEMPT_MS,
      signal,
    });
  }

  private async attempt(body: Uint8Array, deadline: number, signal?: AbortSignal): Promise<Attempt> {
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, retry: false, error: "no time left before the deadline" };
    const timeout = Math.min(left, this.options.requestTimeoutMs ?? 30_000);
    const headers = this.options.sign ? await this.options.sign(this.url, this.headers, body) : this.headers;
    try {
      const answer = await this.client.request({
        url: this.url,
        method: "POST",
        headers,
        body,
        signal: withTimeout(timeout, signal),
      });
      const text = answer.body.toString("utf8").slice(0, 1_000).trim();
      const status = answer.status;
      if (status >= 200 && status < 300) return { ok: true };
      const error = `${status} from ${this.url.host}${text ? `: ${text}` : ""}`;
      if (retryableStatus(status))
        return { ok: false, retry: true, error, ...retryAfter(answer.headers["retry-after"]) };
      (this.options.log ?? ((line) => process.stderr.write(`${line}\n`)))(
        `${this.name} rejected the samples: ${status} ${text}`,
      );
      return { ok: false, retry: false, error };
    } catch (error) {
      return unanswered(error, timeout, this.url.host);
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
