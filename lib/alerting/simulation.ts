/**
 * Alert quality on a seeded timeline, in simulated time: a target that fails some requests at
 * random, has short bursts of failure, real outages (answering errors, or hanging), and drifts slowly
 * into slowness. Runs go through the engine's retry rule (lib/retry.ts), the confirmation rule and
 * timing the run's decide stage uses (lib/alerting/confirmation.ts) and the real state machine, so
 * the figures describe what runs.
 */
import type { AlertPolicy, CheckSpec } from "../checks/load.js";
import type { CheckResult, Status } from "../result.js";
import { retryPauseMs, runBudgetMs, shouldRetry } from "../retry.js";
import { alertingReserve, HANDLER_RESERVE_MS } from "../runtime/budget.js";
import { awaitingConfirmation, confirmationDelay } from "./confirmation.js";
import { type AlertState, step, type Transition } from "./state-machine.js";

/** A span in which every request fails: `error` answers at once (a 503), `hang` never answers. */
export interface Outage {
  /** The run in whose interval it starts; it starts at a random moment of that interval. */
  startRun: number;
  lengthMs: number;
  mode: "error" | "hang";
}

export interface Timeline {
  runs: number;
  intervalMs: number;
  /** Probability that one request fails (a 5xx) outside outages and bursts. */
  errorRate: number;
  /** Real outages: each should page once. */
  outages: Outage[];
  /** Short spans of failure (a deploy's 502s): a page for one is counted apart from false pages. */
  bursts?: Outage[];
  /**
   * A slow drift: latency rises linearly from `fromMs` to `toMs` between two runs (±25 % noise per
   * request), then a fix brings it back; above `degradedAboveMs` a run is degraded.
   */
  drift?: { startRun: number; endRun: number; fromMs: number; toMs: number; degradedAboveMs: number };
  seed: number;
}

export interface SimulatedCheck {
  label: string;
  alert: AlertPolicy;
  retries: number;
  timeoutMs: number;
  /** The engine before this wave: only network failures and timeouts were retried, at once. */
  retryOnlyTimeouts?: boolean;
  /** Confirmation re-probes (the deployed function, --watch). */
  confirm: boolean;
}

export interface SimulationResult {
  runs: number;
  /** Probe attempts made, confirmations included. */
  attempts: number;
  confirmations: number;
  firing: number;
  /** FIRING outside any outage, burst or drift. */
  falsePages: number;
  /** FIRING during a burst. */
  burstPages: number;
  detected: { outage: Outage; afterMs: number }[];
  missed: Outage[];
  /** Mean and worst time from an outage's start to its FIRING. */
  meanTimeToDetectMs: number | undefined;
  maxTimeToDetectMs: number | undefined;
  /** During the drift: warning pages, and pages resolved while still drifting (flapping). */
  driftPages: number;
  driftFlaps: number;
}

/** A check as the simulation runs it, from a loaded spec (so "the defaults" are the loader's). */
export function simulatedCheck(
  spec: Pick<CheckSpec, "alert" | "retries" | "timeoutMs">,
  label: string,
  confirm: boolean,
): SimulatedCheck {
  return { label, alert: spec.alert, retries: spec.retries, timeoutMs: spec.timeoutMs, confirm };
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A quick answer's duration: every answer that is not a hang. */
const ANSWER_MS = 50;

export function simulate(timeline: Timeline, check: SimulatedCheck): SimulationResult {
  const random = seededRandom(timeline.seed);
  const t0 = Date.UTC(2026, 0, 1);
  const place = (o: Outage) => {
    const start = t0 + o.startRun * timeline.intervalMs + Math.floor(random() * timeline.intervalMs);
    return { outage: o, start, end: start + o.lengthMs };
  };
  const outages = timeline.outages.map(place);
  const bursts = (timeline.bursts ?? []).map(place);
  const drift = timeline.drift;
  const within = (spans: typeof outages, t: number) => spans.find((s) => t >= s.start && t < s.end);

  /** One request at `t`: its verdict and how long it took. */
  const request = (t: number): { status: Status; ms: number; timedOut: boolean } => {
    const span = within(outages, t) ?? within(bursts, t);
    if (span?.outage.mode === "hang") return { status: "down", ms: check.timeoutMs, timedOut: true };
    if (span || random() < timeline.errorRate) return { status: "down", ms: ANSWER_MS, timedOut: false };
    if (drift) {
      // Slower and slower until a fix at the end of the drift brings it back.
      const run = (t - t0) / timeline.intervalMs;
      const progress = (run - drift.startRun) / (drift.endRun - drift.startRun);
      if (progress >= 0 && progress < 1) {
        const noisy = (drift.fromMs + (drift.toMs - drift.fromMs) * progress) * (0.75 + random() * 0.5);
        if (noisy > drift.degradedAboveMs) return { status: "degraded", ms: noisy, timedOut: false };
      }
    }
    return { status: "up", ms: ANSWER_MS, timedOut: false };
  };

  let attempts = 0;
  /** One run of the check at `t`, as runCheck does it: its status and when it ended. */
  const run = (t: number): { status: Status; end: number } => {
    let now = t;
    let tries = 0;
    for (;;) {
      tries++;
      attempts++;
      const answer = request(now);
      now += answer.ms;
      if (answer.status !== "down") return { status: answer.status, end: now };
      const wait = retryPauseMs(random);
      const retry = check.retryOnlyTimeouts
        ? answer.timedOut && tries <= check.retries
        : shouldRetry("down", tries, check, now - t, wait);
      if (!retry) return { status: "down", end: now };
      if (!check.retryOnlyTimeouts) now += wait;
    }
  };

  const result: SimulationResult = {
    runs: timeline.runs,
    attempts: 0,
    confirmations: 0,
    firing: 0,
    falsePages: 0,
    burstPages: 0,
    detected: [],
    missed: [],
    meanTimeToDetectMs: undefined,
    maxTimeToDetectMs: undefined,
    driftPages: 0,
    driftFlaps: 0,
  };
  const detected = new Map<Outage, number>();
  const driftStart = drift ? t0 + drift.startRun * timeline.intervalMs : 0;
  const driftEnd = drift ? t0 + drift.endRun * timeline.intervalMs : 0;
  const inDrift = (t: number) => drift !== undefined && t >= driftStart && t < driftEnd;
  const judge = (transition: Transition, at: number) => {
    if (transition.type === "RESOLVED") {
      if (inDrift(at)) result.driftFlaps++;
      return;
    }
    if (transition.type !== "FIRING") return;
    result.firing++;
    // An outage's page may come up to one run after it ended (its last failed run is confirmed).
    const late = timeline.intervalMs + runBudgetMs(check);
    const outage = outages.find((o) => at >= o.start && at < o.end + late);
    if (outage) {
      if (!detected.has(outage.outage)) detected.set(outage.outage, at - outage.start);
    } else if (bursts.some((b) => at >= b.start && at < b.end + late)) result.burstPages++;
    else if (inDrift(at)) result.driftPages++;
    else result.falsePages++;
  };

  let state: AlertState | undefined;
  const observe = (status: Status, at: number) => {
    const next = step(state, simulatedResult(status), check.alert, { now: new Date(at), location: "sim" });
    state = next.state;
    for (const transition of next.transitions) judge(transition, at);
  };
  for (let index = 0; index < timeline.runs; index++) {
    const start = t0 + index * timeline.intervalMs;
    // The probe function's budget for a run of this interval (lib/runtime/shard.ts, budget.ts).
    const total = timeline.intervalMs - HANDLER_RESERVE_MS;
    const probesDeadline = start + total - alertingReserve(total);
    let { status, end } = run(start);
    observe(status, end);
    while (check.confirm && state && awaitingConfirmation(state)) {
      const delay = confirmationDelay({ ...check, alert: check.alert }, end, probesDeadline);
      if (delay === undefined) break;
      result.confirmations++;
      ({ status, end } = run(end + delay));
      observe(status, end);
    }
  }
  result.attempts = attempts;
  result.detected = [...detected].map(([outage, afterMs]) => ({ outage, afterMs }));
  result.missed = timeline.outages.filter((o) => !detected.has(o));
  const times = result.detected.map((d) => d.afterMs);
  result.meanTimeToDetectMs = times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined;
  result.maxTimeToDetectMs = times.length ? Math.max(...times) : undefined;
  return result;
}

/** A result as the simulation (and the dependency benchmark) feeds the state machine. */
export function simulatedResult(
  status: Status,
  name = "simulated",
  reason = status === "up" ? "200 OK" : "status 503, expected 2xx",
): CheckResult {
  return {
    name,
    kind: "http",
    target: `https://${name}.example.com`,
    status,
    reason,
    attempts: 1,
    startedAt: "",
    durationMs: 1,
    severity: "critical",
    labels: {},
    conditions: [],
  };
}

/**
 * The seeded timeline the README's figures come from: 10,000 runs a minute; outages of 2 minutes to
 * 4 hours, answering errors or hanging; two-run bursts; a drift into slowness that ends in an outage.
 */
export function standardTimeline(errorRate: number, seed = 1): Timeline {
  const minutes = (n: number) => n * 60_000;
  return {
    runs: 10_000,
    intervalMs: 60_000,
    errorRate,
    outages: [
      { startRun: 700, lengthMs: minutes(2), mode: "error" },
      { startRun: 1_900, lengthMs: minutes(3), mode: "hang" },
      { startRun: 3_100, lengthMs: minutes(5), mode: "error" },
      { startRun: 4_400, lengthMs: minutes(12), mode: "hang" },
      { startRun: 5_800, lengthMs: minutes(30), mode: "error" },
      { startRun: 7_300, lengthMs: minutes(90), mode: "error" },
      { startRun: 8_800, lengthMs: minutes(240), mode: "hang" },
    ],
    bursts: [
      { startRun: 1_200, lengthMs: minutes(2), mode: "error" },
      { startRun: 2_500, lengthMs: minutes(2), mode: "error" },
      { startRun: 6_600, lengthMs: minutes(2), mode: "error" },
    ],
    drift: { startRun: 9_300, endRun: 9_600, fromMs: 200, toMs: 2_000, degradedAboveMs: 1_000 },
    seed,
  };
}
