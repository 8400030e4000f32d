/** How results look on a terminal: a table, colour only where it will be seen as colour. */
import type { CheckResult, Status } from "../result.js";
import { STATUSES } from "../result.js";
import { visible } from "../text.js";
import type { Io } from "./context.js";

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

/**
 * Text for a terminal that Watchpost did not write (a reason, a check's stage, a receiver's answer):
 * every byte a terminal would interpret (ESC and the ANSI and OSC sequences it opens, a CR that
 * overwrites a line, a line break that forges a row, a C1 CSI) shown as an escape. The only escape
 * sequences Watchpost prints are its own colours.
 */
export function terminalText(text: string): string {
  return visible(text);
}

export function formatLatency(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)}ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/**
 * The results as a table. With a `width` (a terminal's), a long reason wraps under its own column
 * instead of being cut; without one (a pipe, a file, `--wide`) every row is one line, reason whole.
 */
export function formatTable(results: readonly CheckResult[], colour: boolean, width?: number): string {
  // A flow's steps follow its row, indented under its name.
  const rows: { cells: string[]; status: Status }[] = results.flatMap((r) => [
    {
      cells: [
        terminalText(r.name),
        r.status.toUpperCase(),
        formatLatency(r.durationMs),
        terminalText(r.reason),
      ],
      status: r.status,
    },
    ...(r.steps ?? []).map((step) => ({
      cells: [
        `  ${terminalText(step.name)}`,
        step.status.toUpperCase(),
        step.status === "skipped" ? "" : formatLatency(step.durationMs),
        terminalText(step.reason),
      ],
      status: step.status,
    })),
  ]);
  const header = ["CHECK", "STATUS", "LATENCY", "REASON"];
  const widths = [0, 1, 2].map((i) =>
    Math.max(header[i]?.length ?? 0, ...rows.map((row) => row.cells[i]?.length ?? 0)),
  );
  const indent = widths.reduce((a, b) => a + b + 2, 0);
  const reasonWidth = width === undefined ? Number.POSITIVE_INFINITY : Math.max(30, width - indent);
  const line = (cells: string[], status?: Status) => {
    const [first, ...more] = wrap(cells[3] ?? "", reasonWidth);
    const head = cells
      .slice(0, 3)
      .map((cell, i) => {
        const padded = i === 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
        return i === 1 && status && colour ? `\x1b[${COLOURS[status]}m${padded}\x1b[0m` : padded;
      })
      .join("  ");
    return [`${head}  ${first ?? ""}`.trimEnd(), ...more.map((m) => `${" ".repeat(indent)}${m}`)].join("\n");
  };
  return [line(header), ...rows.map((row) => line(row.cells, row.status))].join("\n");
}

/** `text` in lines of at most `width`, broken at spaces where it can be (a long word is split). */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(" ", width);
    const cut = space > width / 3 ? space : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
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

/** A run's results on stdout: a table, or JSON (one object a line under --watch). */
export function printResults(
  results: CheckResult[],
  elapsedMs: number,
  options: { json: boolean; watch: boolean; wide?: boolean },
  io: Io,
  confirmation: boolean,
): void {
  if (options.json) {
    io.stdout.write(
      options.watch
        ? results.map((r) => `${JSON.stringify(confirmation ? { ...r, confirmation } : r)}\n`).join("")
        : `${JSON.stringify(results, null, 2)}\n`,
    );
    return;
  }
  // A terminal wraps long reasons under their column; a pipe or --wide gets each row on one line.
  const width = options.wide ? undefined : io.stdout.isTTY ? io.stdout.columns : undefined;
  if (options.watch)
    io.stdout.write(
      `\n${new Date().toISOString()}${confirmation ? ` confirming ${results.length === 1 ? "a failure" : `${results.length} failures`}` : ""}\n`,
    );
  io.stdout.write(
    `${formatTable(results, useColour(io.stdout), width)}\n\n${formatSummary(results, elapsedMs)}\n`,
  );
}
