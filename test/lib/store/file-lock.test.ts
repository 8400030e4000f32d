import { access, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withFileLock } from "../../../lib/store/file-lock.js";

const folder = () => mkdtemp(path.join(tmpdir(), "watchpost-lock-"));

describe("a shared file's lock", () => {
  it("lets one holder at a time in, and is gone once the work is done or failed", async () => {
    const file = path.join(await folder(), "state.json");
    const held: string[] = [];
    const hold = (name: string) =>
      withFileLock(file, async () => {
        held.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        held.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b"), hold("c")]);
    expect(held.filter((_, i) => i % 2 === 0).map((e) => e.split(" ")[0])).toEqual(
      held.filter((_, i) => i % 2 === 1).map((e) => e.split(" ")[0]),
    );
    await expect(
      withFileLock(file, async () => {
        throw new Error("work failed");
      }),
    ).rejects.toThrow("work failed");
    await expect(access(`${file}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it("takes over a lock left by a process that died holding it", async () => {
    const file = path.join(await folder(), "state.json");
    await writeFile(`${file}.lock`, "12345\n");
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, longAgo, longAgo);
    expect(await withFileLock(file, async () => "done")).toBe("done");
  });
});
