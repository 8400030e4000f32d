/**
 * What a long `watchpost run --watch` leaves behind: 500 runs of the pipeline (as the CLI wires it:
 * a state file, alerting, one run after another) against loopback peers that answer, fail, hang and
 * never finish a TLS handshake, printing the process's open handles and memory as it goes.
 * Run: npx tsx bench/soak.ts [runs]. Figures in bench/README.md.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Alerter } from "../lib/alerting/alerter.js";
import { ConsoleNotifier } from "../lib/alerting/notifiers/local.js";
import { FileStore } from "../lib/alerting/stores/file.js";
import { runPipeline } from "../lib/runtime/pipeline.js";
import { check } from "../test/support/checks.js";
import { httpTarget, routes, tcpTarget } from "../test/support/servers.js";

const runs = Number(process.argv[2] ?? 500);
const web = await httpTarget(routes);
const silent = await tcpTarget((socket) => socket.resume());
const checks = [
  check({ name: "ok", http: { url: `${web.url}/ok` } }),
  check({ name: "fail", http: { url: `${web.url}/fail` } }),
  check({ name: "hang", timeout: "200ms", http: { url: `${web.url}/hang` } }),
  check({ name: "tls-silent", timeout: "200ms", http: { url: `https://127.0.0.1:${silent.port}/` } }),
  check({ name: "refused", tcp: { host: "127.0.0.1", port: 1 } }),
];
const alerter = new Alerter({
  store: new FileStore(path.join(await mkdtemp(path.join(tmpdir(), "watchpost-soak-")), "state.json")),
  notifier: new ConsoleNotifier(() => {}),
  location: "soak",
});
const resources = () => {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
};
const baseline = resources();
console.log(`baseline: ${JSON.stringify(baseline)}`);
const started = performance.now();
for (let run = 1; run <= runs; run++) {
  await runPipeline({ checks, deadline: Date.now() + 10_000, location: "soak", sinks: [], alerter });
  if (run === 1 || run % 100 === 0) {
    // Sockets closed by the last run finish closing on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(
      `run ${String(run).padStart(4)}: ${JSON.stringify(resources())}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    );
  }
}
console.log(`${runs} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await Promise.all([web.close(), silent.close()]);
