/**
 * The status page as a person sees it: 90 days of seeded history, `watchpost status --out DIR`, then
 * Debian's Chromium (headless, through playwright-core) opens the page and the test reads what is
 * shown against the history it was made from. The screenshot goes to docs/images/status-page.png
 * with WATCHPOST_UPDATE_SCREENSHOT=1 (the README shows it), else to a temporary folder.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transition } from "../../../lib/alerting/state-machine.js";
import { main } from "../../../lib/cli/main.js";
import { addTransitions } from "../../../lib/history/incidents.js";
import { addResult, DAY_MS, dayOf, emptyHistory, type History } from "../../../lib/history/model.js";
import { FileHistory } from "../../../lib/history/store-file.js";
import { stream } from "../../support/cli.js";
import { peerAvailable } from "../../support/peers.js";

const available = peerAvailable("chromium", "chromium");
const H = 3_600_000;
let folder: string;
let out: string;
let history: History;
const today = Date.now();
const day0 = Math.floor(today / DAY_MS) * DAY_MS - 89 * DAY_MS;

const CHECKS = `checks:
  - name: checkout-api
    labels: { team: payments }
    http: { url: "https://checkout.example/health" }
    slo: { availability: 99.5%, window: 30d }
  - name: payments-cert
    labels: { team: payments }
    interval: 1h
    tls: { host: checkout.example }
  - name: search-api
    labels: { team: search }
    http: { url: "https://search.example/health" }
  - name: new-service
    labels: { team: search }
    http: { url: "https://new.example/health" }
`;

/** One run an hour per check, with outages the test knows of; new-service has no data at all. */
function seedHistory(): History {
  const h = emptyHistory();
  for (let at = day0; at < today; at += H) {
    const d = Math.floor((at - day0) / DAY_MS);
    const run = (name: string, down: boolean, ms: number) =>
      addResult(
        h,
        {
          name,
          status: down ? "down" : "up",
          durationMs: ms,
          startedAt: new Date(at).toISOString(),
          reason: down ? "status 503, expected 2xx" : "200 OK",
        },
        H,
      );
    // checkout-api: down for 6 hours on day 40, and the last 2 hours (ongoing).
    const hour = Math.floor((at % DAY_MS) / H);
    run("checkout-api", (d === 40 && hour < 6) || at >= today - 2 * H, 80 + (hour % 5) * 10);
    run("payments-cert", false, 30);
    // search-api: no data for days 10 to 14 (the monitor was off), one failed run on day 70.
    if (d < 10 || d > 14) run("search-api", d === 70 && hour === 3, 200 + hour);
  }
  const fire = (check: string, since: number, type: Transition["type"], at: number): Transition => ({
    type,
    check,
    kind: "http",
    target: "t",
    status: type === "RESOLVED" ? "up" : "down",
    reason: type === "RESOLVED" ? "200 OK" : "status 503, expected 2xx",
    severity: "critical",
    since: new Date(since).toISOString(),
    failures: 2,
    at: new Date(at).toISOString(),
    labels: {},
    location: "local",
    dedupKey: `${check}/${since}/${type}`,
  });
  const outage = day0 + 40 * DAY_MS;
  const now = today - 2 * H;
  addTransitions(h, [
    fire("checkout-api", outage, "FIRING", outage + H),
    fire("checkout-api", outage, "REMINDER", outage + 5 * H),
    fire("checkout-api", outage, "RESOLVED", outage + 6 * H),
    fire("checkout-api", now, "FIRING", now + H),
  ]);
  return h;
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "watchpost-status-"));
  out = path.join(folder, "public");
  await writeFile(path.join(folder, "checks.yml"), CHECKS);
  history = seedHistory();
  await new FileHistory(path.join(folder, "state.history")).save(history);
});

/** What the history says a check's 90-day uptime is, exactly. */
function uptimeOf(check: string): number | null {
  let good = 0;
  let told = 0;
  for (let i = 0; i < 90; i++) {
    const day = history.days[dayOf(day0 + i * DAY_MS)]?.[check];
    if (!day) continue;
    good += day.up + day.degraded;
    told += day.up + day.degraded + day.down;
  }
  return told === 0 ? null : good / told;
}

describe.skipIf(!available)("the status page in Chromium", () => {
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  afterAll(async () => browser?.close());

  it("shows every check, its uptime as the history says, grey days without data, and the incidents", async () => {
    const stdout = stream();
    const code = await main(
      [
        "status",
        "--checks",
        folder,
        "--state",
        path.join(folder, "state.json"),
        "--out",
        out,
        "--title",
        "Acme status",
      ],
      { stdout, stderr: stream() },
    );
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(
      /from the 4 checks in \S+: 2 group\(s\), 1 open and 1 recent incident\(s\); no run recorded yet for new-service\n$/,
    );

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(`file://${path.join(out, "index.html")}`);
    expect(await page.title()).toBe("Acme status");
    const shown = await page.$$eval("li.check", (items) =>
      items.map((item) => ({
        name: item.getAttribute("data-check"),
        status: item.getAttribute("data-status"),
        uptime: item.querySelector(".uptime")?.textContent?.trim(),
        bars: item.querySelectorAll(".bar").length,
        grey: item.querySelectorAll(".bar.none").length,
        group: item.closest("section")?.getAttribute("aria-label"),
      })),
    );
    const percent = (share: number | null) =>
      share === null ? "no data" : `${(Math.floor(share * 10_000 + 1e-9) / 100).toFixed(2)}%`;
    expect(shown).toEqual([
      {
        name: "checkout-api",
        status: "down",
        uptime: `${percent(uptimeOf("checkout-api"))} over 90 days`,
        bars: 90,
        grey: 0,
        group: "payments",
      },
      {
        name: "payments-cert",
        status: "up",
        uptime: "100.00% over 90 days",
        bars: 90,
        grey: 0,
        group: "payments",
      },
      {
        name: "new-service",
        status: "no data",
        uptime: "no data over 90 days",
        bars: 90,
        grey: 90,
        group: "search",
      },
      {
        name: "search-api",
        status: "up",
        uptime: `${percent(uptimeOf("search-api"))} over 90 days`,
        bars: 90,
        grey: 5,
        group: "search",
      },
    ]);
    // Each figure to 0.01 % of the history's: 8 of 2,160 runs down is 99.62 %.
    const checkout = uptimeOf("checkout-api") as number;
    expect(Number.parseFloat(percent(checkout))).toBeCloseTo(checkout * 100, 1);
    // A day's figure is its bar's title (shown on hover) and accessible label.
    const outageDay = dayOf(day0 + 40 * DAY_MS);
    const bar = page.locator(`li[data-check="checkout-api"] .bar[data-day="${outageDay}"]`);
    expect(await bar.getAttribute("class")).toBe("bar poor");
    expect(await bar.getAttribute("title")).toMatch(
      new RegExp(`^${outageDay}: 75\\.00% up \\(18 of 24 runs passed, 6h down\\), p50 \\d+ ms, p95 \\d+ ms$`),
    );
    await bar.hover();
    expect(
      await page
        .locator(`li[data-check="search-api"] .bar[data-day="${dayOf(day0 + 12 * DAY_MS)}"]`)
        .getAttribute("title"),
    ).toBe(`${dayOf(day0 + 12 * DAY_MS)}: no data`);
    const incidents = await page.$$eval(".incident", (items) =>
      items.map((i) => i.textContent?.replace(/\s+/g, " ").trim()),
    );
    expect(incidents).toHaveLength(2);
    expect(incidents[0]).toMatch(
      /^checkout-api critical — status 503, expected 2xx since .* UTC, ongoing; 1 notification sent$/,
    );
    expect(incidents[1]).toMatch(
      /^checkout-api critical — status 503, expected 2xx since .* UTC, resolved .* UTC after 6h; 3 notifications sent$/,
    );
    expect(await page.locator(".summary").textContent()).toBe("2 of 4 checks are not up.");
    // The SLO gauge: the last 2 hours' failures against a 0.5 % budget over the days the 30-day window touches.
    let good = 0;
    let told = 0;
    for (let d = Math.floor((today - 30 * DAY_MS) / DAY_MS) * DAY_MS; d <= today; d += DAY_MS) {
      const entry = history.days[dayOf(d)]?.["checkout-api"];
      good += (entry?.up ?? 0) + (entry?.degraded ?? 0);
      told += (entry?.up ?? 0) + (entry?.degraded ?? 0) + (entry?.down ?? 0);
    }
    const left = 1 - (1 - good / told) / 0.005;
    expect(await page.locator('li[data-check="checkout-api"] .slo').textContent()).toBe(
      `availability 99.50% over 30d: ${Math.floor(Math.round(left * 1000) / 10)}% of the budget left${Math.floor(Math.round(left * 1000) / 10)}%`,
    );
    // Dark mode renders too; the screenshot is of the light one.
    const screenshot =
      process.env.WATCHPOST_UPDATE_SCREENSHOT === "1"
        ? path.join(import.meta.dirname, "../../../docs/images/status-page.png")
        : path.join(folder, "status-page.png");
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await readFile(screenshot)).subarray(1, 4).toString()).toBe("PNG");
    await page.emulateMedia({ colorScheme: "dark" });
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(13, 17, 23)");
  }, 60_000);
});
