/**
 * `watchpost slo`: each objective's error budget and burn rates, read from the history beside the
 * state file (written by `watchpost run`), and the alerts they call for; `--json` for machines.
 */
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { DAY_MS, dayOf } from "../../history/model.js";
import { BURN_WINDOWS, type BurnWindow, groupHistory, type SloReport, sloReport } from "../../history/slo.js";
import type { HistoryStore } from "../../history/store.js";
import { formatDuration } from "../../units.js";
import { command } from "../command.js";
import type { Io } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { list, shared } from "../options.js";
import { historyBeside, readHistory } from "../state.js";

export const sloCommand = command({
  name: "slo",
  summary: "Report each SLO's error budget and burn rates from the history beside --state",
  usage: "watchpost slo [options]",
  options: {
    checks: shared.checks,
    only: { ...shared.only, help: "Report only this check or group; repeat or separate with commas" },
    json: { ...shared.json, help: "Print the reports as one JSON array" },
    state: shared.state,
  },
  examples: ["watchpost slo", "watchpost slo --only payments-api --json"],
  exits: ["2: a problem in a check file, or the history file cannot be read"],
  run: ({ values }, io) =>
    slo(
      values.checks,
      { json: values.json, only: list(values.only), history: historyBeside(values.state) },
      io,
    ),
});

export async function slo(
  target: string,
  options: { json: boolean; only: string[]; history: HistoryStore; now?: number },
  io: Io,
): Promise<number> {
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  const specs = loaded.checks.filter(
    (spec) => spec.slo && (options.only.length === 0 || options.only.includes(spec.name)),
  );
  const now = options.now ?? Date.now();
  const longest = Math.max(
    DAY_MS,
    ...specs.map((spec) => spec.slo?.windowMs ?? 0),
    ...(loaded.sloGroups ?? []).map((g) => g.slo.windowMs),
  );
  const history = await readHistory(options.history, { fromDay: dayOf(now - longest), toDay: dayOf(now) });
  const groups = (loaded.sloGroups ?? []).filter(
    (g) => options.only.length === 0 || options.only.includes(g.name),
  );
  const reports = [
    ...specs.map((spec) => sloReport(spec.name, spec.slo as NonNullable<typeof spec.slo>, history, now)),
    ...groups.map((g) => sloReport(g.name, g.slo, groupHistory(history, g.name, g.members), now)),
  ];
  if (options.json) {
    io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  if (reports.length === 0) {
    io.stdout.write("no check has an slo: and no file has slos: (see README, SLOs)\n");
    return 0;
  }
  io.stdout.write(`${table(reports)}\n`);
  const alerts = reports.flatMap((r) =>
    r.alerts.map((a) => `${a.level.toUpperCase().padEnd(6)} ${r.check}: ${a.text}`),
  );
  if (alerts.length > 0) io.stdout.write(`\n${alerts.join("\n")}\n`);
  return 0;
}

const pct = (n: number | undefined) => (n === undefined ? "no data" : `${Number((n * 100).toFixed(3))}%`);

/** What is left of the budget; once spent, how many times over it went (not "-9900%"). */
export function budgetLeft(remaining: number): string {
  return remaining >= 0 ? pct(remaining) : `spent, ${Number((1 - remaining).toFixed(1))}× the budget used`;
}

function table(reports: SloReport[]): string {
  const windows = Object.keys(BURN_WINDOWS) as BurnWindow[];
  const rows = [
    ["CHECK", "OBJECTIVE", "WINDOW", "MEASURED", "BUDGET LEFT", `BURN RATE ${windows.join("/")}`],
    ...reports.flatMap((r) =>
      r.objectives.map((o) => [
        r.check,
        o.sli === "availability"
          ? `availability ${pct(o.target)}`
          : `p${Math.round((o.quantile ?? 0) * 100)} ≤ ${formatDuration(o.thresholdMs ?? 0)}`,
        formatDuration(r.windowMs),
        o.sli === "availability"
          ? pct(o.actual)
          : o.measuredMs === undefined
            ? "no data"
            : `${o.measuredMs}ms (${pct(o.actual)} within)`,
        o.total === 0 ? "—" : budgetLeft(o.budgetRemaining),
        windows.map((w) => String(o.burnRates[w])).join("/"),
      ]),
    ),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
