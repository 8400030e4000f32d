import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FileStore } from "../../../../lib/alerting/stores/file.js";

const state = {
  check: "api",
  version: 1,
  failures: 1,
  successes: 0,
  lastStatus: "down" as const,
  lastReason: "x",
  lastRunAt: "t",
  outbox: [],
};

describe("file state store", () => {
  it("creates the file and its folder, writes conditionally and reads back", async () => {
    const file = path.join(
      await mkdtemp(path.join(tmpdir(), "watchpost-state-")),
      ".watchpost",
      "state.json",
    );
    const store = new FileStore(file);
    expect((await store.getMany(["api"])).size).toBe(0);
    expect(await store.put(state, 0)).toBe(true);
    expect(await store.put(state, 0)).toBe(false);
    expect(await store.put({ ...state, version: 2 }, 1)).toBe(true);
    expect((await store.getMany(["api"])).get("api")?.version).toBe(2);
    expect(JSON.parse(await readFile(file, "utf8")).format).toBe(1);
  });

  it("names the file when it is not a state file", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-state-")), "state.json");
    await writeFile(file, "{ nope");
    await expect(new FileStore(file).getMany(["api"])).rejects.toThrow(
      `${file} is not a Watchpost state file`,
    );
  });
});
