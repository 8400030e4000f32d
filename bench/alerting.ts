/**
 * Alert quality: the seeded standard timeline (10,000 runs a minute, 5 % transient failures per
 * attempt, seven outages from 2 to 240 minutes) through several policies, plus the mean over 200
 * seeds, so one lucky or unlucky seed does not decide the figure.
 * Run: npm run bench:alerting. Writes bench/results/alerting.json.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { STANDARD_TIMELINE, simulate } from "../lib/alerting/simulation.js";

const policies = [
  { label: "failAfter 1, no retry (alert on any failure)", failAfter: 1, retries: 0 },
  { label: "failAfter 1, 1 retry", failAfter: 1, retries: 1 },
  { label: "failAfter 2, no retry", failAfter: 2, retries: 0 },
  { label: "failAfter 2, 1 retry (the defaults)", failAfter: 2, retries: 1 },
  { label: "failAfter 3, 1 retry", failAfter: 3, retries: 1 },
];
const SEEDS = 200;
const minutes = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 60_000).toFixed(2));

const rows = policies.map(({ label, failAfter, retries }) => {
  const policy = { failAfter, recoverAfter: 1, notifyDegraded: false, maintenance: [] };
  const run = (seed: number) =>
    simulate({ ...STANDARD_TIMELINE, outages: [...STANDARD_TIMELINE.outages], policy, retries, seed });
  const standard = run(STANDARD_TIMELINE.seed);
  let falseAlerts = 0;
  for (let seed = 1; seed <= SEEDS; seed++) falseAlerts += run(seed).falseAlerts;
  return {
    policy: label,
    falseAlerts: standard.falseAlerts,
    outagesDetected: `${standard.detected.length}/${STANDARD_TIMELINE.outages.length}`,
    meanTimeToDetectMinutes: minutes(standard.meanTimeToDetectMs),
    maxTimeToDetectMinutes: minutes(standard.maxTimeToDetectMs),
    meanFalseAlertsOver200Seeds: Number((falseAlerts / SEEDS).toFixed(3)),
  };
});

console.log(
  `Alert quality: ${STANDARD_TIMELINE.runs} runs at 1/min, ${STANDARD_TIMELINE.transientRate * 100}% of attempts fail transiently, outages of ${STANDARD_TIMELINE.outages.map((o) => o.length).join(", ")} minutes (seed ${STANDARD_TIMELINE.seed})\n`,
);
console.log(
  "policy                                       | false alerts | outages detected | MTTD (min) | worst (min) | false alerts, mean of 200 seeds",
);
for (const r of rows) {
  console.log(
    `${r.policy.padEnd(44)} | ${String(r.falseAlerts).padStart(12)} | ${r.outagesDetected.padStart(16)} | ${r.meanTimeToDetectMinutes.padStart(10)} | ${r.maxTimeToDetectMinutes.padStart(11)} | ${r.meanFalseAlertsOver200Seeds}`,
  );
}
await writeFile(
  path.join(import.meta.dirname, "results/alerting.json"),
  `${JSON.stringify({ date: new Date().toISOString(), command: "npm run bench:alerting", timeline: STANDARD_TIMELINE, rows }, null, 2)}\n`,
);
