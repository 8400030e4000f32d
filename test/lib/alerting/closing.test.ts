/**
 * Alerting closes what it opened: a firing check that leaves the configuration gets its RESOLVED,
 * and a check that only produces `skipped` still gets its pending notifications delivered.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Alerter } from "../../../lib/alerting/alerter.js";
import { configuredNames, REMOVED_REASON } from "../../../lib/alerting/closing.js";
import { FileStore } from "../../../lib/alerting/stores/file.js";
import { MemoryStore, type StateStore } from "../../../lib/alerting/stores/store.js";
import type { CheckSpec } from "../../../lib/checks/load.js";
import type { CheckResult, Status } from "../../../lib/result.js";
import { RecordingNotifier, resultFor } from "../../support/alerting.js";
import { check } from "../../support/checks.js";

const T0 = Date.parse("2026-12-06T00:00:00Z");
const at = (minute: number) => new Date(T0 + minute * 60_000);
const spec = (name: string): CheckSpec =>
  check({
    name,
    labels: { team: "payments" },
    alert: { failAfter: 1, runbook: "https://wiki.example.com/api" },
    tcp: { host: "a", port: 1 },
  });

function setup(store: StateStore = new MemoryStore()) {
  const notifier = new RecordingNotifier();
  const alerter = new Alerter({ store, notifier, location: "eu-west-1" });
  const run = (minute: number, specs: CheckSpec[], statuses: Record<string, Status>) =>
    alerter.process(
      Object.entries(statuses).map(([name, status]): CheckResult => resultFor(name, status)),
      specs,
      { now: at(minute), configured: configuredNames(specs) },
    );
  return { store, notifier, run };
}

describe("closing what alerting opened", () => {
  for (const backend of ["memory", "file"] as const) {
    it(`resolves a firing check that was removed from the configuration (${backend} store)`, async () => {
      const store =
        backend === "memory"
          ? new MemoryStore()
          : new FileStore(path.join(await mkdtemp(path.join(tmpdir(), "watchpost-closing-")), "state.json"));
      const { notifier, run } = setup(store);
      const both = [spec("api"), spec("web")];
      await run(0, both, { api: "down", web: "up" });
      expect(notifier.log()).toEqual(["FIRING api"]);
      expect(await store.openChecks?.()).toEqual(["api"]);

      // api leaves the files (renamed, removed): the next run of what is left resolves it.
      const report = await run(1, [spec("web")], { web: "up" });
      expect(report.errors).toEqual([]);
      expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
      const resolved = notifier.delivered[1]?.transitions[0];
      expect(resolved).toMatchObject({
        type: "RESOLVED",
        reason: REMOVED_REASON,
        target: "https://api.example.com/health",
        labels: { team: "payments" },
        runbook: "https://wiki.example.com/api",
        dedupKey: `api/${at(0).toISOString()}/RESOLVED`,
      });
      expect(notifier.delivered[1]?.subject).toBe(`[RESOLVED] api: ${REMOVED_REASON}`);
      // Delivered once: later runs owe nothing and forget it.
      await run(2, [spec("web")], { web: "up" });
      await run(3, [spec("web")], { web: "up" });
      expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
      expect(await store.openChecks?.()).toEqual([]);
    });
  }

  it("delivers a removed check's RESOLVED that was decided but not yet delivered", async () => {
    const { notifier, run } = setup();
    await run(0, [spec("api")], { api: "down" });
    notifier.down = true;
    await run(1, [spec("api")], { api: "up" });
    expect(notifier.log()).toEqual(["FIRING api"]);
    notifier.down = false;
    await run(2, [spec("web")], { web: "up" });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
    expect(notifier.delivered[1]?.transitions[0]?.reason).toBe("200 OK");
  });

  it("delivers a skipped check's pending notification without deciding anything for it", async () => {
    const { notifier, run } = setup();
    const specs = [spec("api")];
    notifier.down = true;
    await run(0, specs, { api: "down" });
    notifier.down = false;
    await run(1, specs, { api: "skipped" });
    expect(notifier.log()).toEqual(["FIRING api"]);
    // Skipped is no verdict: the incident stays open.
    await run(2, specs, { api: "up" });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
  });

  it("leaves an open check of another shard alone: it is still configured", async () => {
    const store = new MemoryStore();
    const notifier = new RecordingNotifier();
    const alerter = new Alerter({ store, notifier, location: "eu-west-1" });
    const configured = configuredNames([spec("api"), spec("web")]);
    await alerter.process([resultFor("api", "down")], [spec("api")], { now: at(0), configured });
    await alerter.process([resultFor("web", "up")], [spec("web")], { now: at(1), configured });
    expect(notifier.log()).toEqual(["FIRING api"]);
    expect(await store.openChecks()).toEqual(["api"]);
  });
});
