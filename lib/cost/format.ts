/** The cost estimate as a table for the terminal (`watchpost cost`). */
import type { CostEstimate } from "./estimate.js";
import { PRICES } from "./prices.js";

const usd = (value: number) =>
  value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;

/** The estimate as a table for the terminal. */
export function formatEstimate(e: CostEstimate): string {
  const amount = (n: number) => (n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US"));
  const rows = e.lines.map((l) => [l.item, `${amount(l.quantity)} ${l.unit}`, usd(l.usd)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const table = rows.map(
    (r) =>
      `  ${(r[0] as string).padEnd(widths[0] as number)}  ${(r[1] as string).padStart(widths[1] as number)}  ${(r[2] as string).padStart(widths[2] as number)}`,
  );
  return [
    `${e.checks} checks, ${Math.round(e.runsPerMonth).toLocaleString("en-US")} runs a month, ${Math.round(e.invocationsPerMonth).toLocaleString("en-US")} invocations of about ${e.secondsPerInvocation.toFixed(2)} s`,
    ...table,
    `  ${"total a month".padEnd(widths[0] as number)}  ${"".padStart(widths[1] as number)}  ${usd(e.usdPerMonth).padStart(widths[2] as number)}`,
    "",
    `per million check runs: ${usd(e.usdPerMillionRuns)} (CloudWatch Synthetics: ${usd(PRICES.cloudWatchSyntheticsPerRun * 1e6)}, Checkly API checks: ${usd(PRICES.checklyApiPerRun * 1e6)})`,
    `the same runs on CloudWatch Synthetics: ${usd(e.syntheticsUsdPerMonth)} a month; on Checkly: ${usd(e.checklyUsdPerMonth)}`,
    "List prices (US East), no free tier; see docs/cost.md for the model and its assumptions.",
  ].join("\n");
}
