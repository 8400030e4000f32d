/**
 * `watchpost status --out DIR`: the status page (index.html) and its data (status.json) from the
 * history beside the state file, for any static host; the deployed monitor writes the same page.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadChecks } from "../../checks/load.js";
import { DAY_MS, dayOf } from "../../history/model.js";
import type { HistoryStore } from "../../history/store.js";
import { STATUS_DAYS, statusData } from "../../status/data.js";
import { statusHtml } from "../../status/html.js";
import { command } from "../command.js";
import { EnvironmentError, type Io, plural, UsageError } from "../context.js";
import { reportDiagnostics } from "../diagnostics.js";
import { shared } from "../options.js";
import { historyBeside, readHistory } from "../state.js";

export const statusCommand = command({
  name: "status",
  summary: "Write the status page (index.html, status.json) from the history beside --state",
  usage: "watchpost status --out DIR [options]",
  options: {
    checks: shared.checks,
    out: {
      type: "string",
      value: "DIR",
      help: "The folder to write index.html and status.json to (made if missing)",
    },
    "group-by": {
      type: "string",
      value: "LABEL",
      default: "team",
      help: "The label the status page groups checks by (checks without it are under other)",
    },
    title: { type: "string", value: "TEXT", default: "Status", help: "The status page's title" },
    state: shared.state,
  },
  examples: [
    "watchpost status --out public",
    "watchpost status --out public --group-by service --title 'Acme status'",
  ],
  exits: ["2: a problem in a check file, no --out, or DIR cannot be written"],
  run: ({ values }, io) =>
    status(
      values.checks,
      {
        out: values.out,
        groupBy: values["group-by"],
        title: values.title,
        history: historyBeside(values.state),
      },
      io,
    ),
});

export async function status(
  target: string,
  options: { out: string | undefined; groupBy: string; title: string; history: HistoryStore; now?: number },
  io: Io,
): Promise<number> {
  if (!options.out)
    throw new UsageError("status needs --out DIR, the folder to write index.html and status.json to");
  const loaded = await loadChecks(path.resolve(target));
  if (loaded.diagnostics.length > 0) {
    reportDiagnostics(loaded.diagnostics, io);
    return 2;
  }
  const now = options.now ?? Date.now();
  const longest = Math.max(STATUS_DAYS * DAY_MS, ...loaded.checks.map((c) => c.slo?.windowMs ?? 0));
  const history = await readHistory(options.history, { fromDay: dayOf(now - longest), toDay: dayOf(now) });
  // A page of "no data" for checks the history never saw, while it holds others, is a wrong folder.
  const recorded = new Set([
    ...Object.values(history.days).flatMap(Object.keys),
    ...Object.keys(history.latest ?? {}),
  ]);
  const unseen = loaded.checks.filter((check) => !recorded.has(check.name)).map((check) => check.name);
  if (recorded.size > 0 && unseen.length === loaded.checks.length)
    throw new EnvironmentError(
      `none of the ${plural(loaded.checks.length, "check")} in ${target} has a result in ${options.history.name}, which holds ${listed([...recorded])}: give --checks the check files those runs used`,
    );
  const data = statusData(loaded.checks, history, { now, groupBy: options.groupBy, title: options.title });
  const out = path.resolve(options.out);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, "index.html"), statusHtml(data));
    await writeFile(path.join(out, "status.json"), `${JSON.stringify(data, null, 2)}\n`);
  } catch (error) {
    throw new EnvironmentError(`cannot write the status page to ${out}: ${(error as Error).message}`);
  }
  const checks = data.groups.flatMap((g) => g.checks).length;
  io.stdout.write(
    `wrote ${path.join(out, "index.html")} and status.json from the ${plural(checks, "check")} in ${target}: ${data.groups.length} group(s), ${data.incidents.open.length} open and ${data.incidents.recent.length} recent incident(s)${unseen.length > 0 ? `; no run recorded yet for ${listed(unseen)}` : ""}\n`,
  );
  return 0;
}

/** Names in a line: the first five, then how many more. */
function listed(names: readonly string[]): string {
  const sorted = [...names].sort();
  return sorted.length > 5
    ? `${sorted.slice(0, 5).join(", ")} and ${sorted.length - 5} more`
    : sorted.join(", ");
}
