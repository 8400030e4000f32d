/**
 * `watchpost notify --test`: a sample FIRING and its RESOLVED through the configured destinations
 * (`--webhook`, `--channels`), so a team sees what a page looks like in its own Slack, PagerDuty or
 * Teams before the first real one. The RESOLVED closes what the FIRING opened (a PagerDuty incident).
 */
import { routeMatches } from "../../alerting/notifiers/channel.js";
import { sendTestNotifications, testNotifications } from "../../alerting/test-notification.js";
import { command } from "../command.js";
import { type Io, plural, UsageError } from "../context.js";
import { shared } from "../options.js";
import { terminalText } from "../output.js";
import { channelNotifiers } from "../setup.js";

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
  const destinations = channelNotifiers(options);
  if (destinations.length === 0)
    throw new UsageError("notify --test needs a destination: --webhook URL or --channels FILE");
  // Each destination on its own, so a dead one is named beside those that took the message; a
  // route that does not take a critical test without labels is said, not sent to.
  const [sample] = testNotifications("local");
  const routed = destinations.filter(({ route }) => sample && routeMatches(route, sample));
  for (const { notifier } of destinations.filter((d) => !routed.includes(d)))
    io.stdout.write(`${notifier.name}: not sent, its route does not take a critical check without labels\n`);
  const signal = AbortSignal.timeout(30_000);
  const results = await Promise.all(
    routed.map(async ({ notifier }) => ({
      name: notifier.name,
      outcomes: await sendTestNotifications(notifier, "local", signal),
    })),
  );
  for (const { name, outcomes } of results) {
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length === 0) io.stdout.write(`${name}: took ${outcomes.map((o) => o.type).join(" and ")}\n`);
    // The error names its destination.
    for (const o of failed) io.stderr.write(`could not send ${o.type}: ${terminalText(o.error ?? "")}\n`);
  }
  const took = results.filter((r) => r.outcomes.every((o) => o.ok)).length;
  const all = took === routed.length;
  const skipped = destinations.length - routed.length;
  (all ? io.stdout : io.stderr).write(
    `${took} of ${plural(destinations.length, "destination")} took the test notification${skipped > 0 ? ` (${skipped} not routed to it)` : ""}: "${sample?.subject}"\n`,
  );
  return all ? 0 : 3;
}
