import type { Notification } from "../../lib/alerting/message.js";
import type { Delivery, Notifier } from "../../lib/alerting/notifiers/notifier.js";
import type { CheckResult, Status } from "../../lib/result.js";

/** A notifier that records what it was given and fails while `down` is true. */
export class RecordingNotifier implements Notifier {
  readonly name = "recording";
  readonly delivered: Notification[] = [];
  readonly attempts: Notification[] = [];
  down = false;

  async send(notifications: readonly Notification[]): Promise<Delivery[]> {
    this.attempts.push(...notifications);
    if (this.down) return notifications.map(() => ({ ok: false, error: "ServiceUnavailable: SNS is down" }));
    this.delivered.push(...notifications);
    return notifications.map(() => ({ ok: true }));
  }

  /** `FIRING payments-api` style lines of what was delivered. */
  log(): string[] {
    return this.delivered.flatMap((n) => n.transitions.map((t) => `${t.type} ${t.check}`));
  }
}

export function resultFor(name: string, status: Status, severity = "critical"): CheckResult {
  return {
    name,
    kind: "http",
    target: `https://${name}.example.com/health`,
    status,
    reason: status === "up" ? "200 OK" : "status 503, expected 200",
    attempts: 1,
    startedAt: "",
    durationMs: 5,
    severity,
    labels: { team: "payments" },
    conditions: [],
  };
}
