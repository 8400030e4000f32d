/**
 * `watchpost notify --test`: a sample FIRING and its RESOLVED through the configured destinations
 * (`--webhook`, `--channels`), so a team sees what a page looks like in its own Slack, PagerDuty or
 * Teams before the first real one. The RESOLVED closes what the FIRING opened (a PagerDuty incident).
 */
import { sendTestNotifications } from "../../alerting/test-notification.js";
import { type Io, UsageError } from "../context.js";
import { buildNotifier } from "../setup.js";

export async function notify(
  options: { webhook: string | undefined; channels: string | undefined; test: boolean },
  io: Io,
): Promise<number> {
  if (!options.test) throw new UsageError("notify expects --test (it sends a test notification)");
  const notifier = buildNotifier(options);
  if (!notifier) throw new UsageError("notify --test needs a destination: --webhook URL or --channels FILE");
  const outcomes = await sendTestNotifications(notifier, "local", AbortSignal.timeout(30_000));
  for (const o of outcomes) {
    if (o.ok) io.stdout.write(`sent ${o.type}: ${o.subject}\n`);
    else io.stderr.write(`could not send ${o.type}: ${o.error}\n`);
  }
  io.stdout.write(`via ${notifier.name}\n`);
  return outcomes.every((o) => o.ok) ? 0 : 3;
}
