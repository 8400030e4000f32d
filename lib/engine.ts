/**
 * Runs a batch of checks: concurrency, per-check timeouts, the run's deadline, isolation, and the
 * verdict. Probes only observe; everything common to every kind lives here.
 */

import { AdaptiveLimit } from "./adaptive-limit.js";
import type { AwsClients } from "./aws/clients.js";
import type { CheckSpec } from "./checks/load.js";
import { envResolver, type ReferenceLookup, type Resolvers, resolveReferences } from "./checks/references.js";
import { pause } from "./deadline.js";
import type { HeartbeatStore } from "./heartbeat/store.js";
import { loopDelay } from "./loop-delay.js";
import { PROBES } from "./probes/index.js";
import { CheckSetupError, type Probe, type ProbeContext } from "./probes/probe.js";
import { newTraceId, traceHeaders } from "./probes/trace.js";
import { redactUrl, scrub, scrubDeep } from "./redact.js";
import type { CheckResult, Facts, Observation, Status } from "./result.js";
import { anotherAttemptFits, attemptsReason, retryPauseMs, shouldRetry } from "./retry.js";
import { untrusted, untrustedDeep, untrustedLines } from "./text.js";
import { formatDuration } from "./units.js";
import { roundPhases, verdict } from "./verdict.js";

export interface RunOptions {
  /** Checks in flight at once. Default 64. */
  concurrency?: number;
  /** Epoch milliseconds by which every result must exist; checks it cuts or never starts are `skipped`. */
  deadline?: number;
  /** How `${provider:id}` references resolve. Default: `env` only. */
  resolvers?: Resolvers;
  /** Called as each result is ready, in completion order. */
  onResult?: (result: CheckResult) => void;
  /** Called when a check in flight starts waiting on something new (`connecting to …`), for progress. */
  onStage?: (check: string, stage: string) => void;
  /** AWS clients for the checks that read AWS APIs (backup). */
  aws?: AwsClients;
  /** Where jobs' pings are recorded, for heartbeat checks. */
  heartbeats?: HeartbeatStore;
  /** Stops the run: checks in flight are cut and the rest not started, all `skipped`. */
  signal?: AbortSignal;
}

export const DEFAULT_CONCURRENCY = 64;
/** The least time left before the run's deadline for an attempt to start (ms). */
const MIN_ATTEMPT_MS = 20;
/** A job's log kept in a result: its 4 KiB tail, with room for the escapes of its control bytes. */
const LOG_LIMIT = 8_192;
/**
 * A fact string kept whole up to this: a certificate's names become a metric label as blackbox
 * writes it, and a long SAN list must not be cut into another series. Probes bound their own facts;
 * this only stops a runaway one.
 */
const FACT_LIMIT = 65_536;

/** One result per spec, in the order of `specs`, whatever happened. */
export async function runChecks(
  specs: readonly CheckSpec[],
  options: RunOptions = {},
): Promise<CheckResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const environment: RunEnvironment = {
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
    resolvers: options.resolvers ?? { env: envResolver },
    ...(options.aws ? { aws: options.aws } : {}),
    ...(options.heartbeats ? { heartbeats: options.heartbeats } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStage ? { onStage: options.onStage } : {}),
  };
  const results: CheckResult[] = new Array(specs.length);
  // Fewer in flight while the event loop runs late, so timings stay true as a shard grows.
  const gate = new AdaptiveLimit(concurrency, loopDelay);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next++;
      await gate.enter();
      let result: CheckResult;
      try {
        result = await runCheck(specs[index] as CheckSpec, environment);
      } finally {
        gate.leave();
      }
      results[index] = result;
      options.onResult?.(result);
    }
  };
  loopDelay.acquire();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  } finally {
    loopDelay.release();
  }
  return results;
}

/** What every check of a run shares. */
export interface RunEnvironment {
  /** Epoch ms by which every result must exist. */
  deadline: number;
  resolvers: Resolvers;
  aws?: AwsClients;
  heartbeats?: HeartbeatStore;
  signal?: AbortSignal;
  onStage?: (check: string, stage: string) => void;
}

interface Outcome {
  status: Status;
  reason: string;
  observation?: Observation;
}

/**
 * Runs one check: an attempt within min(its timeout, time left before the deadline), and after a
 * `down` attempt up to `retries` more after a jittered pause, as lib/retry.ts decides. Never rejects.
 */
export async function runCheck(spec: CheckSpec, environment: RunEnvironment): Promise<CheckResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const probe = PROBES[spec.kind] as unknown as Probe;
  // Every value a reference resolved to, so none can leave in a reason or a fact.
  const secrets = new Set<string>();
  const resolvers = Object.fromEntries(
    Object.entries(environment.resolvers).map(([provider, lookup]) => [
      provider,
      async (id: string) => {
        const value = await (lookup as ReferenceLookup)(id);
        secrets.add(value);
        return value;
      },
    ]),
  );
  // One trace per run: a retry is another span of it.
  const traceId = spec.trace ? newTraceId() : undefined;
  let outcome: Outcome;
  let attempts = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let attemptStarted: number;
  let delayMs = 0;
  let remeasured: number | undefined;
  for (;;) {
    attempts++;
    attemptStarted = performance.now();
    outcome = await attempt(spec, probe, { ...environment, resolvers }, secrets, traceId);
    delayMs = loopDelay.worst(attemptStarted, performance.now());
    // Slow only because the loop was late? Measure once more before the verdict counts.
    if (
      outcome.status === "degraded" &&
      remeasured === undefined &&
      delayExplains(outcome, delayMs) &&
      anotherAttemptFits(spec, performance.now() - started, 0, environment.deadline - Date.now())
    ) {
      remeasured = delayMs;
      continue;
    }
    if (outcome.status !== "down") break;
    failed++;
    firstFailure ??= outcome.reason;
    const wait = retryPauseMs();
    const elapsedMs = performance.now() - started;
    if (!shouldRetry(outcome.status, attempts, spec, elapsedMs, wait, environment.deadline - Date.now()))
      break;
    if (!(await pause(wait, environment.signal))) break;
  }
  const { status, observation } = outcome;
  return {
    name: spec.name,
    kind: spec.kind,
    target: redactUrl(probe.target(spec.config)),
    ...(probe.instance ? { instance: redactUrl(probe.instance(spec.config)) } : {}),
    status,
    // What a target, a job or an error message wrote is made safe here, once (lib/text.ts).
    reason: untrusted(
      scrub(
        attemptsReason(outcome, firstFailure, attempts, failed) +
          (remeasured === undefined
            ? ""
            : ` (measured again: the first measurement ran ${Math.round(remeasured)}ms late on a busy event loop)`),
        secrets,
      ),
    ),
    attempts,
    startedAt: new Date(startedAt).toISOString(),
    // The final attempt's: what the target took to answer, not the retries' pauses.
    durationMs: Math.round((performance.now() - attemptStarted) * 1000) / 1000,
    // How late the event loop ran during that attempt: the figures above were taken under it.
    loopDelayMs: Math.round(delayMs),
    severity: spec.severity,
    labels: spec.labels,
    ...(traceId !== undefined ? { traceId } : {}),
    conditions: scrubDeep(observation?.conditions ?? [], secrets).map((c) => ({
      ...c,
      text: untrusted(c.text),
    })),
    ...(observation?.phases ? { phases: roundPhases(observation.phases) } : {}),
    ...(observation?.facts ? { facts: safeFacts(scrubDeep(observation.facts, secrets)) } : {}),
    ...(observation?.steps ? { steps: untrustedDeep(scrubDeep(observation.steps, secrets)) } : {}),
  };
}

async function attempt(
  spec: CheckSpec,
  probe: Probe,
  { deadline, resolvers, aws, heartbeats, signal, onStage }: RunEnvironment,
  secrets: Set<string>,
  traceId: string | undefined,
): Promise<Outcome> {
  if (signal?.aborted) return { status: "skipped", reason: "not started: the run was stopped" };
  const budget = Math.min(spec.timeoutMs, deadline - Date.now());
  // An attempt with a few milliseconds left could only be cut: it is not started (a timer that
  // fired at the deadline can see the clock a millisecond short of it).
  if (budget <= Math.min(MIN_ATTEMPT_MS, spec.timeoutMs - 1)) {
    return {
      status: "skipped",
      reason: "not started before the run's deadline (too many checks for the time available)",
    };
  }
  const cutByDeadline = budget < spec.timeoutMs;
  const controller = new AbortController();
  let stage = "starting";
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  let stopped = false;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error("timeout"));
      resolve("timeout");
    }, budget);
    onStop = () => {
      stopped = true;
      controller.abort(new Error("stopped"));
      resolve("timeout");
    };
    signal?.addEventListener("abort", onStop, { once: true });
  });
  let sofar: (() => Observation) | undefined;
  const ctx: ProbeContext = {
    signal: controller.signal,
    ...(traceId !== undefined ? { traceHeaders: () => traceHeaders(traceId, spec.name) } : {}),
    stage: (doing: string) => {
      stage = doing;
      onStage?.(spec.name, doing);
    },
    baseDir: spec.baseDir,
    check: spec.name,
    secrets,
    ...(aws ? { aws } : {}),
    ...(heartbeats ? { heartbeats } : {}),
    resolve: (value, more) => resolveReferences(value, more ? { ...resolvers, ...more } : resolvers),
    conceal: (value) => secrets.add(value),
    progress: (snapshot) => {
      sofar = snapshot;
    },
  };
  const run = async () =>
    probe.run(
      probe.resolvesOwnReferences
        ? spec.config
        : await resolveReferences(resolvable(probe, spec.config), resolvers),
      ctx,
    );
  try {
    const observation = await Promise.race([run(), timedOut]);
    if (observation === "timeout") {
      // What a probe saw before it was cut (a flow's finished steps) stays in the result.
      const seen = sofar ? { observation: sofar() } : {};
      if (stopped) return { status: "skipped", reason: `cut: the run was stopped while ${stage}`, ...seen };
      return cutByDeadline
        ? {
            status: "skipped",
            reason: `cut by the run's deadline ${formatDuration(budget)} in, while ${stage}`,
            ...seen,
          }
        : {
            status: "down",
            reason: probe.timedOut
              ? probe.timedOut(formatDuration(spec.timeoutMs), stage)
              : `timed out after ${formatDuration(spec.timeoutMs)} while ${stage}`,
            ...seen,
          };
    }
    return { ...verdict(observation), observation };
  } catch (error) {
    const reason =
      error instanceof CheckSetupError
        ? error.message
        : `probe failed unexpectedly: ${(error as Error)?.message ?? String(error)}`;
    return { status: "unknown", reason };
  } finally {
    // A timed-out probe was aborted by the timer; one that finished needs no signal (and building an
    // abort reason for every probe costs a stack trace each).
    clearTimeout(timer);
    if (onStop) signal?.removeEventListener("abort", onStop);
  }
}

/** The config without the fields the probe never reads (lib/probes/probe.ts, `unresolved`). */
export function resolvable(probe: Pick<Probe, "unresolved">, config: unknown): unknown {
  if (!probe.unresolved?.length || typeof config !== "object" || config === null) return config;
  return Object.fromEntries(Object.entries(config).filter(([key]) => !probe.unresolved?.includes(key)));
}

/**
 * Whether the loop's delay could explain a `degraded` verdict: every condition that failed is a
 * timing one, exceeded by no more than the delay.
 */
function delayExplains(outcome: Outcome, delayMs: number): boolean {
  const failed = outcome.observation?.conditions.filter((c) => !c.ok) ?? [];
  return (
    failed.length > 0 &&
    failed.every((c) => c.effect === "degrade" && c.timing && c.timing.tookMs - c.timing.limitMs <= delayMs)
  );
}

/** Facts as any output may show them: each string `untrusted`, a job's log line by line. */
function safeFacts(facts: Facts): Facts {
  const safe = untrustedDeep(facts, FACT_LIMIT);
  const log = facts.heartbeat?.log;
  if (log !== undefined && safe.heartbeat) safe.heartbeat.log = untrustedLines(log, LOG_LIMIT);
  return safe;
}
