/**
 * `watchpost notify --test`: a sample FIRING and its RESOLVED through the configured destinations
 * (`--webhook`, `--channels`), so a team sees what a page looks like in its own Slack, PagerDuty or
 * Teams before the first real one. The RESOLVED closes what the FIRING opened (a PagerDuty incident).
 */
import { sendTestNotifications } from "../../alerting/test-notification.js";
import { command } from "../command.js";
import { type Io, UsageError } from "../context.js";
import { shared } from "../options.js";
import { terminalText } from "../output.js";
import { buildNotifier } from "../setup.js";

export const notifyCommand = command({
  name: "notify",
  summary: "Send a test notification through --webhook and --channels",
  usage: "watchpost notify --test [options]",
  options: {
    test: { type: "boolean", help: "Send a test FIRING and its RESOLVED" },
    webhook: shared.webhook,
    channels: shared.channels,
  },
  examples: ["watchpost notify --test --channels channels.yml"],
  exits: ["2: no destination given", "3: a destination refused or did not answer"],
  run: ({ values }, io) =>
    notify({ webhook: values.webhook, channels: values.channels, test: values.test }, io),
});

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
    else io.stderr.write(`could not send ${o.type}: ${terminalText(o.error ?? "")}\n`);
  }
  io.stdout.write(`via ${notifier.name}\n`);
  return outcomes.every((o) => o.ok) ? 0 : 3;
}
