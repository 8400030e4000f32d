/** The status page, made from history and handed to a writer (S3 when deployed). */
import type { CheckSpec } from "../checks/load.js";
import { DAY_MS, dayOf } from "../history/model.js";
import type { HistoryStore } from "../history/store.js";
import { STATUS_DAYS, statusData } from "./data.js";
import { statusHtml } from "./html.js";

export type PageWriter = (
  name: "index.html" | "status.json",
  body: string,
  contentType: string,
  signal: AbortSignal,
) => Promise<void>;

export async function publishStatusPage(
  input: {
    checks: readonly CheckSpec[];
    history: HistoryStore;
    write: PageWriter;
    groupBy: string;
    title: string;
    now: number;
  },
  signal: AbortSignal,
): Promise<{ checks: number; openIncidents: number }> {
  const longest = Math.max(STATUS_DAYS * DAY_MS, ...input.checks.map((c) => c.slo?.windowMs ?? 0));
  const history = await input.history.read(
    { fromDay: dayOf(input.now - longest), toDay: dayOf(input.now) },
    signal,
  );
  const data = statusData(input.checks, history, {
    now: input.now,
    groupBy: input.groupBy,
    title: input.title,
  });
  // The data first: a page never links to data older than itself.
  await input.write("status.json", `${JSON.stringify(data)}\n`, "application/json", signal);
  await input.write("index.html", statusHtml(data), "text/html; charset=utf-8", signal);
  return { checks: input.checks.length, openIncidents: data.incidents.open.length };
}
