/**
 * Runs a batch of checks: concurrency, per-check timeouts, the run's deadline, isolation, and the
 * verdict. Probes only observe; everything common to every kind lives here.
 */
import type { CheckSpec } from "./checks/load.js";
import { envResolver, type Resolvers, resolveReferences } from "./checks/references.js";
import { PROBES } from "./probes/index.js";
import { CheckSetupError, type Probe } from "./probes/probe.js";
import type { CheckResult, Observation, Status } from "./result.js";
import { formatDuration } from "./units.js";

export interface RunOptions {
  /** Checks in flight at once. Default 64. */
  concurrency?: number;
  /** Epoch milliseconds by which every result must exist; unfinished checks are reported down. */
  deadline?: number;
  /** How `${provider:id}` references resolve. Default: `env` only. */
  resolvers?: Resolvers;
  /** Called as each result is ready, in completion order. */
  onResult?: (result: CheckResult) => void;
}

export const DEFAULT_CONCURRENCY = 64;

/** One result per spec, in the order of `specs`, whatever happened. */
export async function runChecks(
  specs: readonly CheckSpec[],
  options: RunOptions = {},
): Promise<CheckResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const resolvers = options.resolvers ?? { env: envResolver };
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const results: CheckResult[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next++;
      const result = await runCheck(specs[index] as CheckSpec, deadline, resolvers);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  return results;
}

/** Runs one check within min(its timeout, time left before the deadline). Never rejects. */
export async function runCheck(
  spec: CheckSpec,
  deadline: number,
  resolvers: Resolvers,
): Promise<CheckResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const probe = PROBES[spec.kind] as unknown as Probe;
  const base = {
    name: spec.name,
    kind: spec.kind,
    target: probe.target(spec.config),
    startedAt: new Date(startedAt).toISOString(),
    severity: spec.severity,
    labels: spec.labels,
  };
  const finish = (status: Status, reason: string, observation?: Observation): CheckResult => ({
    ...base,
    status,
    reason,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    conditions: observation?.conditions ?? [],
    ...(observation?.phases ? { phases: roundPhases(observation.phases) } : {}),
    ...(observation?.facts ? { facts: observation.facts } : {}),
  });

  const budget = Math.min(spec.timeoutMs, deadline - startedAt);
  if (budget <= 0)
    return finish("down", "not started before the run's deadline (too many checks for the time available)");
  const cutByDeadline = budget < spec.timeoutMs;

  const controller = new AbortController();
  let stage = "starting";
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error("timeout"));
      resolve("timeout");
    }, budget);
  });
  const ctx = {
    signal: controller.signal,
    stage: (doing: string) => {
      stage = doing;
    },
    baseDir: spec.baseDir,
  };
  const attempt = async () => probe.run(await resolveReferences(spec.config, resolvers), ctx);
  try {
    const outcome = await Promise.race([attempt(), timedOut]);
    if (outcome === "timeout") {
      return finish(
        "down",
        cutByDeadline
          ? `did not finish before the run's deadline (${formatDuration(budget)} in) while ${stage}`
          : `timed out after ${formatDuration(spec.timeoutMs)} while ${stage}`,
      );
    }
    return verdict(outcome, finish);
  } catch (error) {
    if (error instanceof CheckSetupError) return finish("unknown", error.message);
    return finish("unknown", `probe failed unexpectedly: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function verdict(
  observation: Observation,
  finish: (status: Status, reason: string, o: Observation) => CheckResult,
) {
  const failed = observation.conditions.filter((condition) => !condition.ok);
  const fatal = failed.filter((condition) => condition.effect === "fail");
  if (fatal.length > 0) return finish("down", fatal.map((c) => c.text).join("; "), observation);
  if (failed.length > 0) return finish("degraded", failed.map((c) => c.text).join("; "), observation);
  return finish("up", observation.summary, observation);
}

function roundPhases(phases: NonNullable<Observation["phases"]>): NonNullable<Observation["phases"]> {
  return Object.fromEntries(
    Object.entries(phases).map(([phase, ms]) => [phase, Math.round((ms as number) * 1000) / 1000]),
  );
}
