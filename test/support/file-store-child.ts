/**
 * One `watchpost run`'s alerting against a shared state file, as a separate process: every check
 * down, failAfter 1, notifications printed one dedup key a line. Starts at the given epoch ms so that
 * several processes race.
 */
import { Alerter } from "../../lib/alerting/alerter.js";
import type { Notification } from "../../lib/alerting/message.js";
import { FileStore } from "../../lib/alerting/stores/file.js";
import { resultFor } from "./alerting.js";
import { check } from "./checks.js";

const [file, count, startAt] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4])];
const names = Array.from({ length: count }, (_, i) => `check-${i}`);
const specs = names.map((name) => check({ name, alert: { failAfter: 1 }, tcp: { host: "a", port: 1 } }));
const alerter = new Alerter({
  store: new FileStore(file),
  location: "local",
  groupThreshold: 1_000,
  notifier: {
    name: "stdout",
    send: async (notifications: readonly Notification[]) => {
      for (const n of notifications) process.stdout.write(`${n.dedupKey}\n`);
      return notifications.map(() => ({ ok: true as const }));
    },
  },
});
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
const report = await alerter.process(
  names.map((name) => resultFor(name, "down")),
  specs,
  { now: new Date("2026-11-22T00:00:00Z") },
);
if (report.errors.length > 0) process.stderr.write(`${report.errors.join("\n")}\n`);
