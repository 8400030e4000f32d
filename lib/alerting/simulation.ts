/**
 * Alert quality on a seeded timeline: transient failures (each probe attempt fails with some
 * probability) and real outages (every attempt fails), through the real state machine with the
 * engine's retry rule. Says how fast outages are detected and how many alerts were false.
 */
import type { AlertPolicy } from "../checks/load.js";
import type { CheckResult } from "../result.js";
import { type AlertState, step } from "./state-machine.js";

export interface Outage {
  /** Index of the first run that sees it. */
  start: number;
  /** Runs it lasts. */
  length: number;
}

export interface SimulationInput {
  runs: number;
  intervalMs: number;
  /** Probability that one probe attempt fails outside an outage. */
  transientRate: number;
  outages: Outage[];
  policy: AlertPolicy;
  /** Immediate retries within a run (the engine retries network failures and timeouts). */
  retries: number;
  seed: number;
}

export interface SimulationResult {
  runs: number;
  failedRuns: number;
  firing: number;
  falseAlerts: number;
  detected: { outage: Outage; afterRuns: number }[];
  missed: Outage[];
  /** Mean time from an outage's first run to its FIRING, counting that run as one interval. */
  meanTimeToDetectMs: number | undefined;
  maxTimeToDetectMs: number | undefined;
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

export function simulate(input: SimulationInput): SimulationResult {
  const random = seededRandom(input.seed);
  const outageAt = (run: number) => input.outages.find((o) => run >= o.start && run < o.start + o.length);
  const detectedBy = new Map<Outage, number>();
  let state: AlertState | undefined;
  let failedRuns = 0;
  let firing = 0;
  let falseAlerts = 0;
  const t0 = Date.UTC(2026, 0, 1);
  for (let run = 0; run < input.runs; run++) {
    const outage = outageAt(run);
    let failed = true;
    for (let attempt = 0; attempt <= input.retries && failed; attempt++) {
      failed = outage !== undefined || random() < input.transientRate;
    }
    if (failed) failedRuns++;
    const result: CheckResult = {
      name: "simulated",
      kind: "http",
      target: "https://simulated.example.com",
      status: failed ? "down" : "up",
      reason: failed ? "status 503, expected 200" : "200 OK",
      attempts: 1,
      startedAt: "",
      durationMs: 1,
      severity: "critical",
      labels: {},
      conditions: [],
    };
    const next = step(state, result, input.policy, {
      now: new Date(t0 + run * input.intervalMs),
      location: "sim",
      inMaintenance: false,
    });
    state = next.state;
    for (const transition of next.transitions) {
      if (transition.type !== "FIRING") continue;
      firing++;
      if (outage && !detectedBy.has(outage)) detectedBy.set(outage, run);
      else if (!outage) falseAlerts++;
    }
  }
  const detected = [...detectedBy].map(([outage, run]) => ({ outage, afterRuns: run - outage.start + 1 }));
  const times = detected.map((d) => d.afterRuns * input.intervalMs);
  return {
    runs: input.runs,
    failedRuns,
    firing,
    falseAlerts,
    detected,
    missed: input.outages.filter((o) => !detectedBy.has(o)),
    meanTimeToDetectMs: times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined,
    maxTimeToDetectMs: times.length ? Math.max(...times) : undefined,
  };
}

/** The seeded timeline the README's figures come from: 10,000 runs a minute, 5 % transient failures. */
export const STANDARD_TIMELINE = {
  runs: 10_000,
  intervalMs: 60_000,
  transientRate: 0.05,
  outages: [
    { start: 700, length: 2 },
    { start: 1_900, length: 3 },
    { start: 3_100, length: 5 },
    { start: 4_400, length: 12 },
    { start: 5_800, length: 30 },
    { start: 7_300, length: 90 },
    { start: 8_800, length: 240 },
  ],
  seed: 1,
} as const;
