/**
 * SLOs through the CLI: `watchpost slo --json` against a hand computation over a seeded history, and
 * a fast burn paging through the normal channel (a webhook) when `watchpost run` records a run.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { addResult, emptyHistory } from "../../../lib/history/model.js";
import type { SloReport } from "../../../lib/history/slo.js";
import { FileHistory } from "../../../lib/history/store-file.js";
import { stream } from "../../support/cli.js";
import { httpTarget, routes, type Target, webhookReceiver } from "../../support/servers.js";

const MIN = 60_000;
let folder: string;
let web: Target;
let hook: Target;
let received: {
  type: string;
  transitions: { check: string; kind: string; reason: string; severity: string }[];
}[];
const now = Date.now();

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "watchpost-slo-"));
  web = await httpTarget(routes);
  ({ hook, received } = await webhookReceiver());
  await writeFile(
    path.join(folder, "checks.yml"),
    `checks:
  - name: api
    retries: 0
    http: { url: "${web.url}/fail" }
    slo: { availability: 99%, window: 1d }
`,
  );
  // One run a minute for the last 6 hours: all up but the last 30 minutes', which were down.
  const history = emptyHistory();
  for (let i = 360; i >= 1; i--) {
    const at = now - i * MIN;
    addResult(
      history,
      {
        name: "api",
        status: i <= 30 ? "down" : "up",
        durationMs: 50,
        startedAt: new Date(at).toISOString(),
        reason: "",
      },
      MIN,
    );
  }
  await new FileHistory(path.join(folder, "state.history")).save(history);
});

afterAll(async () => {
  await web?.close();
  await hook?.close();
});

async function cli(...args: string[]) {
  const stdout = stream();
  const stderr = stream();
  const code = await main([...args, "--checks", folder, "--state", path.join(folder, "state.json")], {
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("SLOs through the CLI", () => {
  it("slo --json reports the budget and burn rates a hand computation gives", async () => {
    const { code, stdout } = await cli("slo", "--json");
    expect(code).toBe(0);
    const [report] = JSON.parse(stdout) as SloReport[];
    const [availability] = report?.objectives ?? [];
    // 360 runs, 30 down: 91.667 %; the budget is 1 % of 360 = 3.6 runs, 30 spent.
    expect(availability).toMatchObject({ sli: "availability", target: 0.99, good: 330, total: 360 });
    expect(availability?.budgetRemaining).toBe(Number((1 - 30 / 3.6).toFixed(3)));
    // Burn rates, each window rounded out to whole five-minute slots: the last 30 minutes were all
    // down, so 5m (at most 10 minutes of runs) burns 100×, 30m at least 30 of 35 bad.
    const r = availability?.burnRates;
    expect(r?.["5m"]).toBe(100);
    expect(r?.["30m"]).toBeGreaterThanOrEqual(Number((30 / 35 / 0.01).toFixed(3)));
    expect(r?.["6h"]).toBe(Number((30 / 360 / 0.01).toFixed(3)));
    expect(r?.["3d"]).toBe(Number((30 / 360 / 0.01).toFixed(3)));
    expect(report?.alerts.map((a) => a.level)).toEqual(["page", "budget"]);
  });

  it("pages through the channel when a run finds the budget burning fast", async () => {
    const { code, stdout } = await cli("run", "--webhook", hook.url);
    expect(code).toBe(1);
    expect(stdout).toContain("alerts via webhook");
    const firing = received.flatMap((n) => n.transitions).find((t) => t.check === "api/slo");
    expect(firing).toMatchObject({ kind: "slo", severity: "critical" });
    expect(firing?.reason).toMatch(
      /^availability 99%: the error budget burns [\d.]+× over 1h and [\d.]+× over 5m \(alert above 14\.4×\)/,
    );
    // The run itself went into the history: 361 runs now.
    const history = await new FileHistory(path.join(folder, "state.history")).read({
      fromDay: "2000-01-01",
      toDay: "2999-12-31",
    });
    const runs = Object.values(history.days).reduce((n, d) => n + (d.api?.runs ?? 0), 0);
    expect(runs).toBe(361);
  });

  it("writes nothing new when asked twice: the companion alert is decided once", async () => {
    const before = received.length;
    await cli("run", "--webhook", hook.url);
    const again = received
      .slice(before)
      .flatMap((n) => n.transitions)
      .filter((t) => t.check === "api/slo");
    expect(again).toEqual([]);
  });
});

describe("group objectives", () => {
  it("add up their members' runs, page through the channel, and refuse a group of no check", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-slo-group-"));
    await writeFile(
      path.join(dir, "shop.yml"),
      `checks:
  - name: cart
    labels: { team: shop }
    retries: 0
    http: { url: "${web.url}/fail" }
  - name: search
    labels: { team: shop }
    http: { url: "${web.url}/ok" }
slos:
  - name: shop
    labels: { team: shop }
    availability: 99.5%
    window: 1d
`,
    );
    // Two hours a minute each: cart down for its last 20 runs, search always up.
    const history = emptyHistory();
    for (let i = 120; i >= 1; i--) {
      const startedAt = new Date(now - i * MIN).toISOString();
      addResult(
        history,
        { name: "cart", status: i <= 20 ? "down" : "up", durationMs: 50, startedAt, reason: "" },
        MIN,
      );
      addResult(history, { name: "search", status: "up", durationMs: 50, startedAt, reason: "" }, MIN);
    }
    await new FileHistory(path.join(dir, "state.history")).save(history);
    const run = async (...args: string[]) => {
      const stdout = stream();
      const code = await main([...args, "--checks", dir, "--state", path.join(dir, "state.json")], {
        stdout,
        stderr: stream(),
      });
      return { code, stdout: stdout.text() };
    };
    const [report] = JSON.parse((await run("slo", "--json")).stdout) as SloReport[];
    // 240 runs, 20 down: the 0.5 % budget of 240 is 1.2 runs, 20 spent.
    expect(report).toMatchObject({ check: "shop", objectives: [{ good: 220, total: 240 }] });
    expect(report?.objectives[0]?.budgetRemaining).toBe(Number((1 - 20 / 1.2).toFixed(3)));
    expect(report?.alerts[0]?.level).toBe("page");
    const before = received.length;
    await run("run", "--webhook", hook.url);
    const firing = received
      .slice(before)
      .flatMap((n) => n.transitions)
      .find((t) => t.check === "shop/slo");
    expect(firing).toMatchObject({ kind: "slo", severity: "critical" });

    await writeFile(
      path.join(dir, "shop.yml"),
      `checks:
  - name: cart
    labels: { team: shop }
    http: { url: "${web.url}/ok" }
slos:
  - name: cart
    labels: { team: shop }
    availability: 99%
  - name: billing
    labels: { team: billing }
    availability: 99%
`,
    );
    const refused = stream();
    expect(await main(["validate", "--checks", dir], { stdout: stream(), stderr: refused })).toBe(2);
    expect(refused.text()).toMatch(
      /shop\.yml:6:\d+: slos\[0\]\.name: expected a name unique among checks and group objectives, found "cart", already the check at .*shop\.yml:2/,
    );
    expect(refused.text()).toMatch(
      /shop\.yml:10:\d+: slos\[1\]\.labels: expected labels some check carries, found \{"team":"billing"\}, which no check has/,
    );
  });
});
