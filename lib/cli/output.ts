/** How results look on a terminal: a table, colour only where it will be seen as colour. */
import type { CheckResult, Status } from "../result.js";
import { STATUSES } from "../result.js";

const COLOURS: Record<Status, string> = {
  up: "32",
  degraded: "33",
  down: "31",
  unknown: "35",
  skipped: "36",
};

export function useColour(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

export function formatLatency(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)}ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

export function formatTable(results: readonly CheckResult[], colour: boolean, width = 160): string {
  const rows = results.map((r) => [r.name, r.status.toUpperCase(), formatLatency(r.durationMs), r.reason]);
  const header = ["CHECK", "STATUS", "LATENCY", "REASON"];
  const widths = [0, 1, 2].map((i) =>
    Math.max(header[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const reasonWidth = Math.max(30, width - widths.reduce((a, b) => a + b + 2, 0));
  const line = (cells: string[], status?: Status) =>
    cells
      .map((cell, i) => {
        if (i === 3) return cell.length > reasonWidth ? `${cell.slice(0, reasonWidth - 1)}…` : cell;
        const padded = i === 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
        return i === 1 && status && colour ? `\x1b[${COLOURS[status]}m${padded}\x1b[0m` : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map((row, i) => line(row, results[i]?.status))].join("\n");
}

export function formatSummary(results: readonly CheckResult[], elapsedMs: number): string {
  const counts = STATUSES.map(
    (status) => [status, results.filter((r) => r.status === status).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return `${results.length} check${results.length === 1 ? "" : "s"}: ${counts.join(", ") || "none"} in ${formatLatency(elapsedMs)}`;
}

/** 0 when everything is up or degraded, 1 when anything is down, unknown or skipped. */
export function exitCodeFor(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status !== "up" && r.status !== "degraded") ? 1 : 0;
}
