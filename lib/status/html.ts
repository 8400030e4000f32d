/**
 * The status page as one self-contained HTML file: no script, no framework, no request beyond
 * itself. Light and dark follow the reader's setting; every colour has words beside it (a bar's
 * day, figure and runs are its title and its accessible label); a day without data is grey.
 */
import { UNTIMED_KINDS } from "../probes/kinds.js";
import { formatDuration, formatSpan } from "../units.js";
import { formatUptime, type StatusCheck, type StatusData, type StatusDay } from "./data.js";

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** good ≥ 99.9 %, fair ≥ 99 %, poor below, none without data. */
function dayClass(uptime: number | null): string {
  if (uptime === null) return "none";
  return uptime >= 0.999 ? "good" : uptime >= 0.99 ? "fair" : "poor";
}

function dayLabel(d: StatusDay): string {
  if (d.uptime === null) return `${d.day}: no data`;
  const down = d.downMs > 0 ? `, ${formatSpan(d.downMs)} down` : "";
  const latency = d.p50Ms !== undefined ? `, p50 ${d.p50Ms} ms, p95 ${d.p95Ms} ms` : "";
  return `${d.day}: ${formatUptime(d.uptime)} up (${d.runs - d.down} of ${d.runs} runs passed${down})${latency}`;
}

/** p50 and p95 by day as two polylines; days without data leave gaps. */
function sparkline(days: StatusDay[]): string {
  const values = days.flatMap((d) => (d.p95Ms !== undefined ? [d.p95Ms] : []));
  if (values.length === 0) return '<span class="muted">no latency data</span>';
  const max = Math.max(...values, 1);
  const width = 180;
  const height = 28;
  const x = (i: number) => ((i / Math.max(1, days.length - 1)) * width).toFixed(1);
  const y = (v: number) => (height - 2 - (v / max) * (height - 4)).toFixed(1);
  const line = (key: "p50Ms" | "p95Ms") =>
    days
      .map((d, i) => (d[key] === undefined ? undefined : `${x(i)},${y(d[key] as number)}`))
      .reduce<string[][]>(
        (runs, point) => {
          if (point === undefined) runs.push([]);
          else runs.at(-1)?.push(point);
          return runs;
        },
        [[]],
      )
      .filter((run) => run.length > 0)
      .map((run) => `<polyline class="${key}" points="${run.join(" ")}"/>`)
      .join("");
  const last = [...days].reverse().find((d) => d.p50Ms !== undefined) as StatusDay;
  return `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="latency by day, latest p50 ${last.p50Ms} ms and p95 ${last.p95Ms} ms">${line("p95Ms")}${line("p50Ms")}</svg><span class="latest">p50 ${last.p50Ms} ms · p95 ${last.p95Ms} ms</span>`;
}

function checkRow(check: StatusCheck): string {
  const slo = (check.slo ?? [])
    .map((o) => {
      const left = Math.max(0, Math.min(1, o.budgetRemaining));
      return `<div class="slo"><span>${o.sli === "availability" ? "availability" : "latency"} ${formatUptime(o.target)} over ${formatDuration(o.windowMs)}: ${o.budgetRemaining <= 0 ? "budget spent" : `${Math.floor(left * 100)}% of the budget left`}</span><meter min="0" max="1" low="0.1" high="0.5" optimum="1" value="${left.toFixed(3)}" aria-label="error budget left">${Math.floor(left * 100)}%</meter></div>`;
    })
    .join("");
  return `<li class="check" data-check="${html(check.name)}" data-status="${html(check.status)}">
  <div class="head"><span class="status ${html(check.status.replace(" ", "-"))}">${html(check.status)}</span><h3>${html(check.name)}</h3><span class="uptime" data-uptime="${check.uptime ?? ""}">${formatUptime(check.uptime)} <span class="muted">over 90 days</span></span></div>
  <p class="reason">${html(check.reason)}${check.at ? ` <span class="muted">(${html(check.at.slice(0, 16).replace("T", " "))} UTC)</span>` : ""}</p>${stepList(check)}
  <ol class="bars" aria-label="uptime by day, oldest first">${check.days
    .map((d) => {
      const label = html(dayLabel(d));
      return `<li class="bar ${dayClass(d.uptime)}" data-day="${d.day}" data-uptime="${d.uptime ?? ""}" title="${label}" aria-label="${label}" tabindex="0"></li>`;
    })
    .join("")}</ol>
  <div class="foot">${UNTIMED_KINDS.includes(check.kind) ? "" : sparkline(check.days)}${slo}</div>
</li>`;
}

/** A flow's steps in its latest run, in order, each with its status in words. */
function stepList(check: StatusCheck): string {
  if (!check.steps?.length) return "";
  return `
  <ol class="steps" aria-label="steps of the latest run">${check.steps
    .map(
      (step) =>
        `<li class="step" data-step="${html(step.name)}" data-status="${html(step.status)}"><span class="status ${html(step.status)}">${html(step.status)}</span> <strong>${html(step.name)}</strong> <span class="muted">${html(step.reason)}</span></li>`,
    )
    .join("")}</ol>`;
}

function incidentRow(i: StatusData["incidents"]["open"][number]): string {
  const end = i.resolvedAt
    ? `resolved ${html(i.resolvedAt.slice(0, 16).replace("T", " "))} UTC after ${formatSpan(Date.parse(i.resolvedAt) - Date.parse(i.id))}`
    : "ongoing";
  return `<li class="incident" data-check="${html(i.check)}"><strong>${html(i.check)}</strong> <span class="muted">${html(i.severity)}</span> — ${html(i.reason)}<br> <span class="muted">since ${html(i.id.slice(0, 16).replace("T", " "))} UTC, ${end}; ${i.notifications} notification${i.notifications === 1 ? "" : "s"} sent</span></li>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#5c6670;--card:#f6f8fa;--line:#d0d7de;--good:#1a7f37;--fair:#b58407;--poor:#cf222e;--none:#afb8c1;--p50:#0969da;--p95:#8250df}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#161b22;--line:#30363d;--good:#3fb950;--fair:#d29922;--poor:#f85149;--none:#484f58;--p50:#58a6ff;--p95:#bc8cff}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:980px;margin:0 auto;padding:24px 16px}h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px}h3{font-size:1em;margin:0;flex:1}
.muted{color:var(--muted);font-weight:normal}ul,ol{list-style:none;margin:0;padding:0}
.summary{padding:12px 16px;border-radius:8px;background:var(--card);border:1px solid var(--line);margin:16px 0}
.check{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:8px 0}
.head{display:flex;gap:10px;align-items:baseline}.reason{margin:4px 0 8px;font-size:.9em;overflow-wrap:anywhere}
.status{font-size:.8em;font-weight:600;text-transform:uppercase;padding:1px 8px;border-radius:10px;color:#fff;background:var(--none)}
.status.up{background:var(--good)}.status.degraded{background:var(--fair)}.status.down{background:var(--poor)}
.bars{display:flex;gap:2px;height:28px}.bar{flex:1;border-radius:2px;background:var(--none)}.bar:hover,.bar:focus{outline:2px solid var(--fg)}
.bar.good{background:var(--good)}.bar.fair{background:var(--fair)}.bar.poor{background:var(--poor)}
.foot{display:flex;flex-wrap:wrap;gap:16px;align-items:center;margin-top:8px;font-size:.85em}
.spark polyline{fill:none;stroke-width:1.5}.spark .p50Ms{stroke:var(--p50)}.spark .p95Ms{stroke:var(--p95)}.latest{margin-left:6px;color:var(--muted)}
.steps{margin:0 0 8px;font-size:.85em}.step{margin:2px 0;overflow-wrap:anywhere}.step .status{font-size:.75em}
.slo{display:flex;gap:8px;align-items:center}meter{width:120px}.incident{padding:8px 0;border-bottom:1px solid var(--line)}
.legend{font-size:.85em;color:var(--muted)}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:middle}
`;

export function statusHtml(data: StatusData): string {
  const checks = data.groups.flatMap((g) => g.checks);
  const worst = ["down", "degraded", "unknown", "no data"].find((s) => checks.some((c) => c.status === s));
  const summary =
    checks.length === 0
      ? "No checks."
      : worst === undefined
        ? "All checks are up."
        : `${checks.filter((c) => c.status !== "up").length} of ${checks.length} checks are not up.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${html(data.title)}</h1>
<p class="muted">Updated ${html(data.generatedAt.slice(0, 16).replace("T", " "))} UTC · the last 90 days, one bar a day (UTC) · <a href="status.json">status.json</a></p>
<p class="summary" role="status">${summary}</p>
<p class="legend" aria-hidden="true"><i style="background:var(--good)"></i>≥ 99.9% <i style="background:var(--fair)"></i>≥ 99% <i style="background:var(--poor)"></i>below <i style="background:var(--none)"></i>no data</p>
<section aria-labelledby="incidents"><h2 id="incidents">Incidents</h2>
${data.incidents.open.length > 0 ? `<h3>Ongoing</h3><ul class="incidents open">${data.incidents.open.map(incidentRow).join("")}</ul>` : '<p class="muted">No ongoing incident.</p>'}
${data.incidents.recent.length > 0 ? `<h3>Resolved in the last 90 days</h3><ul class="incidents recent">${data.incidents.recent.map(incidentRow).join("")}</ul>` : `<p class="muted">${data.incidents.open.length > 0 ? "None resolved in the last 90 days." : "No incident in the last 90 days."}</p>`}
</section>
${data.groups
  .map(
    (g) =>
      `<section class="group" aria-label="${html(g.name)}"><h2>${html(g.name)} <span class="muted">(${html(data.groupBy)})</span></h2><ul>${g.checks.map(checkRow).join("\n")}</ul></section>`,
  )
  .join("\n")}
</main>
</body>
</html>
`;
}
