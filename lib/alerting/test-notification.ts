/**
 * The test notification (`watchpost notify --test`, and the deployed function invoked with
 * `{ "notifyTest": true }`): a FIRING and the RESOLVED that closes it, plainly marked as a test, so a
 * team sees a page in its own channels before the first real one.
 */
import { type Notification, notificationOf } from "./message.js";
import type { Notifier } from "./notifiers/notifier.js";
import type { Transition } from "./state-machine.js";

export function testNotifications(location: string, now = new Date()): Notification[] {
  const since = new Date(now.getTime() - 120_000).toISOString();
  const base: Omit<Transition, "type" | "status" | "dedupKey" | "at"> = {
    check: "watchpost-test",
    kind: "http",
    target: "https://watchpost.invalid/health",
    reason: "a test notification from watchpost notify --test; nothing is broken",
    severity: "critical",
    since,
    failures: 2,
    labels: { test: "true" },
    location,
  };
  return [
    notificationOf({
      ...base,
      type: "FIRING",
      status: "down",
      at: now.toISOString(),
      dedupKey: `watchpost-test/${since}/FIRING`,
    }),
    notificationOf({
      ...base,
      type: "RESOLVED",
      status: "up",
      at: new Date(now.getTime() + 1).toISOString(),
      dedupKey: `watchpost-test/${since}/RESOLVED`,
    }),
  ];
}

export interface TestOutcome {
  type: string;
  subject: string;
  ok: boolean;
  error?: string;
}

/**
 * Sends the test notifications one after the other (a RESOLVED must not overtake its FIRING: a
 * PagerDuty incident would stay open) and says what became of each.
 */
export async function sendTestNotifications(
  notifier: Notifier,
  location: string,
  signal: AbortSignal,
): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (const n of testNotifications(location)) {
    const [delivery] = await notifier.send([n], { signal });
    const d = delivery ?? { ok: false as const, error: "no answer" };
    outcomes.push({ type: n.type, subject: n.subject, ok: d.ok, ...(d.ok ? {} : { error: d.error }) });
  }
  return outcomes;
}
