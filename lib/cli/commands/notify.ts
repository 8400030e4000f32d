/**
 * `watchpost notify --test`: a sample FIRING and its RESOLVED through the configured destinations
 * (`--webhook`, `--channels`), so a team sees what a page looks like in its own Slack, PagerDuty or
 * Teams before the first real one. The RESOLVED closes what the FIRING opened (a PagerDuty incident).
 */
import { testNotifications } from "../../alerting/test-notification.js";
import { type Io, UsageError } from "../context.js";
import { buildNotifier } from "../setup.js";

export async function notify(
  options: { webhook: string | undefined; channels: string | undefined; test: boolean },
  io: Io,
): Promise<number> {
  if (!options.test) throw new UsageError("notify expects --test (it sends a test notification)");
  const notifier = buildNotifier(options);
  if (!notifier) throw new UsageError("notify --test needs a destination: --webhook URL or --channels FILE");
  let failed = 0;
  for (const n of testNotifications("local")) {
    const [delivery] = await notifier.send([n], { signal: AbortSignal.timeout(15_000) });
    if (delivery?.ok) io.stdout.write(`sent ${n.type}: ${n.subject}\n`);
    else {
      failed++;
      io.stderr.write(`could not send ${n.type}: ${delivery?.error ?? "no answer"}\n`);
    }
  }
  io.stdout.write(`via ${notifier.name}\n`);
  return failed > 0 ? 3 : 0;
}
