/**
 * Local processes acting as locations (`--location NAME --locations A,B,C`, one shared `--state`).
 * Each location reaches the target through its own URL (`${env:TARGET}` resolved in its process),
 * so one location's path can be broken while the target is up. Run in this process one after the
 * other, as cron would start them; test/lib/cli/locations-netns.test.ts does the same with real
 * network namespaces and a cut route.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";
import {
  closedPort,
  httpTarget,
  type Target,
  type WebhookBody,
  webhookReceiver,
} from "../../support/servers.js";

let service: Target;
let hook: Target;
let healthy = true;
let received: WebhookBody[];

beforeAll(async () => {
  service = await httpTarget((_req, res) => res.writeHead(healthy ? 200 : 503).end());
  ({ hook, received } = await webhookReceiver());
});
afterAll(async () => {
  await service.close();
  await hook.close();
});

async function runAt(folder: string, location: string, target: string) {
  process.env.WATCHPOST_TEST_PATH = target;
  const stdout = stream();
  const stderr = stream();
  const code = await main(
    [
      "run",
      "--checks",
      folder,
      "--state",
      path.join(folder, "state.json"),
      "--location",
      location,
      "--locations",
      "eu,us,ap",
      "--webhook",
      hook.url,
    ],
    { stdout, stderr },
  );
  delete process.env.WATCHPOST_TEST_PATH;
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("locations sharing a state file", () => {
  it("never pages for one broken path, pages once for a real outage naming the locations, and reports a silent one", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-locations-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: api\n    retries: 0\n    alert: { failAfter: 2, quorum: 2 }\n    http: { url: "\${env:WATCHPOST_TEST_PATH}/health" }\n`,
    );
    const broken = `http://127.0.0.1:${await closedPort()}`;
    // Three rounds with the path from "us" broken: us is down every time, eu and ap up.
    for (let round = 0; round < 3; round++) {
      const us = await runAt(folder, "us", broken);
      expect(us.stdout).toMatch(/api +DOWN/);
      expect(us.stdout).toContain("location report of us");
      await runAt(folder, "ap", service.url);
      const eu = await runAt(folder, "eu", service.url);
      expect(eu.code).toBe(0);
    }
    expect(received).toEqual([]);

    // The target really down: seen from everywhere, it fires once after failAfter rounds.
    healthy = false;
    for (let round = 0; round < 3; round++) {
      await runAt(folder, "us", service.url);
      await runAt(folder, "ap", service.url);
      await runAt(folder, "eu", service.url);
    }
    const firing = received.filter((n) => n.type === "FIRING");
    expect(firing).toHaveLength(1);
    expect(firing[0]?.transitions[0]).toMatchObject({
      check: "api",
      location: "eu, us, ap",
      reason:
        "down from 3 of 3 locations: eu (status 503, expected 2xx), us (status 503, expected 2xx), ap (status 503, expected 2xx)",
    });

    // ap stops reporting: once its last report is older than the interval and a minute, the home
    // names it and decides on the others (still down, 2 of 2: no second FIRING).
    const records = JSON.parse(await readFile(path.join(folder, "state.runs.json"), "utf8"));
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    for (const result of records.records["ap/local"].results) result.startedAt = old;
    await writeFile(path.join(folder, "state.runs.json"), JSON.stringify(records));
    await runAt(folder, "us", service.url);
    const quiet = await runAt(folder, "eu", service.url);
    expect(quiet.stdout).not.toContain("FIRING");
    expect(quiet.stderr).toMatch(/^locations: ap has not reported since \S+; not counted up or down$/m);
    expect(received.filter((n) => n.type === "FIRING")).toHaveLength(1);
  }, 60_000);

  it("refuses a location outside --locations, and a check placed at an unknown location, in one line", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-locations-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: api\n    locations: [eu, mars]\n    http: { url: "${service.url}/health" }\n`,
    );
    const stray = await runAt(folder, "moon", service.url);
    expect(stray).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--location moon is not one of --locations eu,us,ap"),
    });
    const mars = await runAt(folder, "eu", service.url);
    expect(mars.code).toBe(2);
    expect(mars.stderr).toMatch(/checks\.yml:2: check api runs at mars, not among --locations eu,us,ap/);
  });
});
