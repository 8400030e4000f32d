/** The shapes history must have to be read (lib/store/shape.ts): a day of a check, an incident, a latest result. */
import { STATUSES } from "../result.js";
import { count, listOf, mapOf, number, oneOf, record, type Shape, text } from "../store/shape.js";

export const checkDayShape: Shape = record(
  {
    runs: count,
    up: count,
    degraded: count,
    down: count,
    unknown: count,
    downMs: number,
    latency: mapOf(number),
  },
  { slots: mapOf(listOf(number)) },
);

export const incidentShape: Shape = record(
  { check: text, id: text, severity: text, reason: text, firedAt: text, notifications: count },
  { resolvedAt: text },
);

export const latestShape: Shape = record(
  { status: oneOf(STATUSES), reason: text, at: text },
  { steps: listOf(record({ name: text, status: oneOf(STATUSES), reason: text })) },
);
