/**
 * Alert quality: the seeded standard timeline (10,000 runs a minute; outages of 2 minutes to 4
 * hours that answer errors or hang; three two-minute bursts; a drift into slowness) at 0 %, 5 % and
 * 10 % of requests failing at random, through several policies, each the mean over 200 seeds. Then
 * dependencies, through the real alerter: a database and three services behind it.
 * Run: npm run bench:alerting. Writes bench/results/alerting.json.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Alerter } from "../lib/alerting/alerter.js";
import type { Notification } from "../lib/alerting/message.js";
import {
  type SimulatedCheck,
  simulate,
  simulatedCheck,
  simulatedResult,
  standardTimeline,
} from "../lib/alerting/simulation.js";
import { MemoryStore } from "../lib/alerting/stores/store.js";
import { type CheckSpec, loadChecksSync, parseCheckFile } from "../lib/checks/load.js";

const SEEDS = 200;
const RATES = [0, 0.05, 0.1];

/** A check with the shipped defaults, as the loader makes it, with `alert` and `retries` overrides. */
function spec(extra = ""): CheckSpec {
  const parsed = parseCheckFile(
    "bench.yml",
    `checks:\n  - name: api\n    http: { url: "https://api.example.com/health" }\n${extra}`,
    ".",
  );
  if (parsed.checks.length !== 1) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.checks[0] as CheckSpec;
}

const rows: SimulatedCheck[] = [
  {
    ...simulatedCheck(spec("    retries: 1\n    alert: { confirmAfter: false }\n"), "", false),
    label: "before: retries 1 (timeouts and resets only, at once), failAfter 2",
    retryOnlyTimeouts: true,
  },
  simulatedCheck(spec("    retries: 1\n"), "retries 1 (any failure), failAfter 2, confirm 20s", true),
  simulatedCheck(spec("    retries: 2\n"), "retries 2, failAfter 2, confirm 20s", true),
  simulatedCheck(spec(), "the defaults: retries 3, failAfter 2, confirm 20s", true),
  simulatedCheck(spec(), "the defaults, one-shot (no confirmation)", false),
  simulatedCheck(spec("    alert: { failAfter: 3 }\n"), "retries 3, failAfter 3, confirm 20s", true),
  simulatedCheck(
    spec("    alert: { failAfter: 3, failWithin: 5 }\n"),
    "retries 3, failAfter 3 within 5, confirm 20s",
    true,
  ),
];

const intervals = (ms: number) => ms / 60_000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

const table = rows.flatMap((check) =>
  RATES.map((rate) => {
    const runs = Array.from({ length: SEEDS }, (_, i) => simulate(standardTimeline(rate, i + 1), check));
    const ttd = (mode: string) =>
      runs.flatMap((r) => r.detected.filter((d) => d.outage.mode === mode).map((d) => d.afterMs));
    const all = runs.flatMap((r) => r.detected.map((d) => d.afterMs));
    return {
      policy: check.label,
      errorRate: rate,
      falsePagesPer10kRuns: Number(mean(runs.map((r) => r.falsePages)).toFixed(4)),
      burstPages: Number(mean(runs.map((r) => r.burstPages)).toFixed(2)),
      outagesMissed: `${runs.reduce((n, r) => n + r.missed.length, 0)}/${runs.length * 7}`,
      mttdIntervals: Number(intervals(mean(all)).toFixed(2)),
      mttdErrorIntervals: Number(intervals(mean(ttd("error"))).toFixed(2)),
      mttdHangIntervals: Number(intervals(mean(ttd("hang"))).toFixed(2)),
      worstIntervals: Number(intervals(Math.max(...all)).toFixed(2)),
      attemptsPerRun: Number((mean(runs.map((r) => r.attempts)) / 10_000).toFixed(3)),
    };
  }),
);

/** The drift, with degraded alerts on: pages during it, and pages resolved while still drifting. */
const drift = [
  { label: "notifyDegraded, recoverAfter 1 (the default)", extra: "" },
  { label: "notifyDegraded, recoverAfter 3 within 5", extra: ", recoverAfter: 3, recoverWithin: 5" },
  {
    label: "notifyDegraded, failAfter 3 within 5, recoverAfter 3 within 5",
    extra: ", failAfter: 3, failWithin: 5, recoverAfter: 3, recoverWithin: 5",
  },
].map(({ label, extra }) => {
  const check = simulatedCheck(spec(`    alert: { notifyDegraded: true${extra} }\n`), label, true);
  const runs = Array.from({ length: SEEDS }, (_, i) => simulate(standardTimeline(0.05, i + 1), check));
  return {
    policy: label,
    driftPages: Number(mean(runs.map((r) => r.driftPages)).toFixed(2)),
    driftFlaps: Number(mean(runs.map((r) => r.driftFlaps)).toFixed(2)),
  };
});

/** A database and three services that depend on it, through the real alerter; the database fails. */
async function dependencies(withDependsOn: boolean): Promise<{ notifications: number; subjects: string[] }> {
  const text = `checks:
  - name: db
    tcp: { host: db.internal, port: 5432 }
${["api", "web", "worker"].map((name) => `  - name: ${name}\n    http: { url: "https://${name}.example.com/health" }\n${withDependsOn ? "    dependsOn: [db]\n" : ""}`).join("")}`;
  const folder = await mkdtemp(path.join(tmpdir(), "watchpost-bench-"));
  await writeFile(path.join(folder, "deps.yml"), text);
  const { checks: linked } = loadChecksSync(folder);
  const sent: Notification[] = [];
  const alerter = new Alerter({
    store: new MemoryStore(),
    location: "bench",
    notifier: {
      name: "count",
      async send(notifications) {
        sent.push(...notifications);
        return notifications.map(() => ({ ok: true as const }));
      },
    },
  });
  const result = (name: string, down: boolean) =>
    simulatedResult(
      down ? "down" : "up",
      name,
      down ? (name === "db" ? "connection refused" : "status 503, expected 2xx") : "ok",
    );
  const t0 = Date.UTC(2026, 0, 1);
  for (let run = 0; run < 10; run++) {
    const down = run >= 2 && run < 6;
    await alerter.process(
      linked.map((c) => result(c.name, down)),
      linked,
      { now: new Date(t0 + run * 60_000) },
    );
  }
  return { notifications: sent.length, subjects: sent.map((n) => n.subject) };
}

console.log(
  `Alert quality over ${SEEDS} seeds of 10,000 one-minute runs each (seven outages of 2 min to 4 h, three 2-minute bursts)\n`,
);
console.log(
  "policy                                                            | errors | false pages/10k | burst pages | missed  | MTTD (intervals): all / errors / hangs | worst | attempts/run",
);
for (const r of table) {
  console.log(
    `${r.policy.padEnd(65)} | ${`${r.errorRate * 100}%`.padStart(6)} | ${r.falsePagesPer10kRuns.toFixed(4).padStart(15)} | ${r.burstPages.toFixed(2).padStart(11)} | ${r.outagesMissed.padStart(7)} | ${`${r.mttdIntervals} / ${r.mttdErrorIntervals} / ${r.mttdHangIntervals}`.padStart(38)} | ${r.worstIntervals.toFixed(2).padStart(5)} | ${r.attemptsPerRun}`,
  );
}
console.log(
  "\nA drift into slowness over 300 runs at 5 % random errors: degraded pages, and flaps (resolved mid-drift)",
);
for (const d of drift) console.log(`${d.policy.padEnd(65)} | pages ${d.driftPages} | flaps ${d.driftFlaps}`);
const deps = { without: await dependencies(false), with: await dependencies(true) };
console.log(`\nA database outage with three services behind it failing too:`);
console.log(`without dependsOn: ${deps.without.notifications} notifications`);
console.log(
  `with dependsOn: [db]: ${deps.with.notifications} notifications: ${deps.with.subjects.join(" | ")}`,
);
await writeFile(
  path.join(import.meta.dirname, "results/alerting.json"),
  `${JSON.stringify({ date: new Date().toISOString(), command: "npm run bench:alerting", seeds: SEEDS, table, drift, dependencies: deps }, null, 2)}\n`,
);
