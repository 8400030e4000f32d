/**
 * The status an observation earns and the reason it is given: the engine's verdict on a check, and
 * a steps check's on each of its steps.
 */
import type { Observation, Phase, Status } from "./result.js";

export interface Verdict {
  status: Status;
  reason: string;
}

/** A failed `unknown` condition outranks a failed `fail` one, which outranks a failed `degrade` one. */
export function verdict(observation: Observation): Verdict {
  const failed = observation.conditions.filter((condition) => !condition.ok);
  const text = (conditions: typeof failed) => conditions.map((c) => c.text).join("; ");
  const unknown = failed.filter((condition) => condition.effect === "unknown");
  if (unknown.length > 0) return { status: "unknown", reason: text(unknown) };
  const fatal = failed.filter((condition) => condition.effect === "fail");
  if (fatal.length > 0) return { status: "down", reason: text(fatal) };
  if (failed.length > 0) return { status: "degraded", reason: text(failed) };
  return { status: "up", reason: observation.summary };
}

/** Phase durations to the microsecond, as results carry them. */
export function roundPhases(phases: Partial<Record<Phase, number>>): Partial<Record<Phase, number>> {
  return Object.fromEntries(
    Object.entries(phases).map(([phase, ms]) => [phase, Math.round((ms as number) * 1000) / 1000]),
  );
}
