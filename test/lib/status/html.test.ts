import { describe, expect, it } from "vitest";
import type { StatusData } from "../../../lib/status/data.js";
import { statusHtml } from "../../../lib/status/html.js";
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
