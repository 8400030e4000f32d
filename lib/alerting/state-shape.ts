/** The shape an alert state must have to be decided from (lib/store/shape.ts): checked on every read. */
import { STATUSES } from "../result.js";
import { count, listOf, mapOf, oneOf, record, type Shape, text } from "../store/shape.js";

const transition = record({
  type: oneOf(["FIRING", "RESOLVED", "REMINDER"]),
  check: text,
  status: oneOf(STATUSES),
  reason: text,
  severity: text,
  since: text,
  at: text,
  dedupKey: text,
});

export const alertStateShape: Shape = record(
  {
    check: text,
    version: count,
    failures: count,
    successes: count,
    lastStatus: oneOf(STATUSES),
    lastReason: text,
    lastRunAt: text,
    outbox: listOf(record({ transition })),
  },
  {
    since: text,
    recent: text,
    escalating: count,
    incident: record({
      id: text,
      severity: text,
      firedAt: text,
      lastNotifiedAt: text,
      reminders: count,
      failures: count,
    }),
    counted: mapOf(text),
    dead: listOf(record({ transition, failedAttempts: count, error: text, at: text })),
  },
);
