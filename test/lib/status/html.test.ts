import { describe, expect, it } from "vitest";
import { addResult, emptyHistory } from "../../../lib/history/model.js";
import { type StatusData, statusData } from "../../../lib/status/data.js";
import { statusHtml } from "../../../lib/status/html.js";
import { check } from "../../support/checks.js";
import { HOSTILE } from "../../support/hostile.js";

describe("the status page's HTML", () => {
  // Raw, as a history written before the engine escaped reasons would hold it.
  const data: StatusData = {
    title: "Status <script>alert(1)</script>",
    generatedAt: "2026-11-22T00:03:00.000Z",
    groupBy: "team",
    groups: [
      {
        name: "payments",
        checks: [
          {
            name: "api",
            kind: "http",
            status: "down",
            reason: HOSTILE,
            at: "2026-11-22T00:03:00.000Z",
            uptime: 0.99,
            days: [],
          },
        ],
      },
    ],
    incidents: {
      open: [
        {
          check: "api",
          id: "2026-11-22T00:01:00.000Z",
          severity: "critical",
          reason: HOSTILE,
          firedAt: "2026-11-22T00:02:00.000Z",
          notifications: 1,
        },
      ],
      recent: [],
    },
  };
  const page = statusHtml(data);

  it("shows what a target wrote as text: no element, attribute or link comes from it", () => {
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<b>bold</b>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("&lt;!channel&gt;");
    expect(page).toContain("&amp;amp;");
    // The page's one link is its own status.json.
    expect(page.match(/href="[^"]*"/g)).toEqual(['href="status.json"']);
    expect(page.match(/<script/g)).toBeNull();
  });
});

describe("the status page, as a newcomer reads it", () => {
  const now = Date.parse("2026-11-22T12:00:00.000Z");
  const history = emptyHistory();
  for (const [name, durationMs] of [
    ["api", 120],
    ["nightly-backup", 3],
  ] as const) {
    for (let i = 0; i < 6; i++)
      addResult(
        history,
        {
          name,
          status: "up",
          durationMs,
          startedAt: new Date(now - i * 60_000).toISOString(),
        },
        60_000,
      );
  }
  const checks = [
    check({ name: "api", labels: { team: "payments" }, http: { url: "https://api.example.com/" } }),
    check({ name: "nightly-backup", labels: { team: "payments" }, heartbeat: { every: "1d" } }),
  ];

  it("shows latency for what times a target, and none for a heartbeat, whose job pushes its pings", () => {
    const data = statusData(checks, history, { now, groupBy: "team", title: "Status" });
    const [api, nightly] = data.groups[0]?.checks ?? [];
    expect(api?.days.at(-1)).toMatchObject({ p50Ms: expect.any(Number), p95Ms: expect.any(Number) });
    expect(nightly?.days.at(-1)).toMatchObject({ runs: 6, uptime: 1 });
    expect(nightly?.days.at(-1)).not.toHaveProperty("p50Ms");
    const page = statusHtml(data);
    const row = (name: string) => {
      const at = page.indexOf(`<li class="check" data-check="${name}"`);
      expect(at, name).toBeGreaterThanOrEqual(0);
      return page.slice(at).split("</li>\n")[0] ?? "";
    };
    expect(row("api")).toContain('class="spark"');
    expect(row("nightly-backup")).not.toMatch(/spark|p50|p95|latency/);
  });

  it("never says there was no incident under an ongoing one", () => {
    const incident = { check: "api", id: new Date(now - 3_600_000).toISOString(), severity: "critical" };
    const open = { ...incident, reason: "status 503", firedAt: incident.id, notifications: 1 };
    const base = statusData(checks, history, { now, groupBy: "team", title: "Status" });
    const ongoing = statusHtml({ ...base, incidents: { open: [open], recent: [] } });
    expect(ongoing).toContain("<h3>Ongoing</h3>");
    expect(ongoing).not.toContain("No incident");
    expect(ongoing).toContain("None resolved in the last 90 days.");
    const quiet = statusHtml({ ...base, incidents: { open: [], recent: [] } });
    expect(quiet).toContain("No ongoing incident.");
    expect(quiet).toContain("No incident in the last 90 days.");
  });
});
