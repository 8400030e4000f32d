import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAY_MS, dayOf } from "../../../lib/history/model.js";
import type { HistoryEntry } from "../../../lib/history/store.js";
import { FileHistory } from "../../../lib/history/store-file.js";

const entry = (at: number, status: HistoryEntry["status"] = "up"): HistoryEntry => ({
  name: "api",
  status,
  durationMs: 40,
  startedAt: new Date(at).toISOString(),
  reason: status === "up" ? "200 OK" : "status 503",
  intervalMs: 60_000,
});

describe("history beside the state file", () => {
  it("rewrites only the day a run is on, drops aged days' slots and deletes days past the retention", async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-history-")), "state.history");
    const store = new FileHistory(dir, 30);
    const t0 = Date.parse("2026-10-01T12:00:00Z");
    await store.record({ shard: "local", entries: [entry(t0)], transitions: [], now: t0 });
    const first = path.join(dir, "days", "2026-10-01.json");
    const before = (await stat(first)).mtimeMs;
    const t1 = t0 + 2 * DAY_MS;
    await store.record({ shard: "local", entries: [entry(t1, "down")], transitions: [], now: t1 });
    expect((await stat(first)).mtimeMs).toBe(before);
    expect(await readdir(path.join(dir, "days"))).toEqual(["2026-10-01.json", "2026-10-03.json"]);
    // Five days on, the first day has left the burn-rate windows: its slots go, its counts stay.
    const t2 = t0 + 5 * DAY_MS;
    await store.record({ shard: "local", entries: [entry(t2)], transitions: [], now: t2 });
    const aged = JSON.parse(await readFile(first, "utf8")) as {
      checks: { api: { runs: number; slots?: unknown } };
    };
    expect(aged.checks.api).toMatchObject({ runs: 1 });
    expect(aged.checks.api.slots).toBeUndefined();
    // 31 days on, past the 30-day retention, the first day is gone.
    const t3 = t0 + 31 * DAY_MS;
    await store.record({ shard: "local", entries: [entry(t3)], transitions: [], now: t3 });
    const kept = await store.read({ fromDay: "2000-01-01", toDay: "2999-12-31" });
    expect(Object.keys(kept.days)).toEqual([dayOf(t1), dayOf(t2), dayOf(t3)]);
    expect(kept.latest?.api).toEqual({ status: "up", reason: "200 OK", at: new Date(t3).toISOString() });
  });
});
