import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "../../../../lib/alerting/stores/file.js";
import { bundle } from "../../../support/bundle.js";

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

describe("file state store shared by processes", () => {
  let child: string;
  beforeAll(async () => {
    child = await bundle(path.join(import.meta.dirname, "../../../support/file-store-child.ts"));
  }, 60_000);

  it("never fires twice when processes race on one state file", async () => {
    for (let round = 0; round < 3; round++) {
      const file = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-race-")), "state.json");
      const startAt = Date.now() + 1_500;
      const outputs = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<{ out: string; err: string }>((resolve, reject) => {
              const proc = spawn(process.execPath, [child, file, "40", String(startAt)], { stdio: "pipe" });
              let out = "";
              let err = "";
              proc.stdout.on("data", (chunk: Buffer) => {
                out += chunk;
              });
              proc.stderr.on("data", (chunk: Buffer) => {
                err += chunk;
              });
              proc.on("error", reject);
              proc.on("close", () => resolve({ out, err }));
            }),
        ),
      );
      const keys = outputs.flatMap((o) => o.out.split("\n").filter(Boolean));
      expect(outputs.map((o) => o.err.replace(/^\(node.*\n?/gm, "")).join("")).not.toMatch(
        /could not be written/,
      );
      expect(keys).toHaveLength(40);
      expect(new Set(keys).size).toBe(40);
      const saved = JSON.parse(await readFile(file, "utf8")) as {
        checks: Record<string, { outbox: unknown[] }>;
      };
      expect(Object.keys(saved.checks)).toHaveLength(40);
      expect(Object.values(saved.checks).every((s) => s.outbox.length === 0)).toBe(true);
    }
  }, 120_000);
});
