import { spawn } from "node:child_process";
import { access, mkdtemp, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
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

  const owner = (fields: Record<string, unknown>) =>
    `${JSON.stringify({ pid: process.pid, host: hostname(), start: Date.now(), deadline: Date.now() + 30_000, ...fields })}\n`;

  it("takes over at once a fresh lock whose owner is no longer running on this machine", async () => {
    const file = path.join(await folder(), "state.json");
    const child = spawn(process.execPath, ["-e", ""]);
    const dead = await new Promise<number>((resolve) =>
      child.once("exit", () => resolve(child.pid as number)),
    );
    await writeFile(`${file}.lock`, owner({ pid: dead }));
    const started = Date.now();
    expect(await withFileLock(file, async () => "done")).toBe("done");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("takes over at once a lock whose deadline has passed, whoever holds it", async () => {
    const file = path.join(await folder(), "state.json");
    await writeFile(`${file}.lock`, owner({ host: "another-machine", deadline: Date.now() - 1 }));
    const started = Date.now();
    expect(await withFileLock(file, async () => "done")).toBe("done");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("waits for a living owner, and for another machine's before its deadline", async () => {
    const file = path.join(await folder(), "state.json");
    for (const held of [owner({}), owner({ host: "another-machine", pid: 1 })]) {
      await writeFile(`${file}.lock`, held);
      const order: string[] = [];
      const waiting = withFileLock(file, async () => order.push("taken"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push("released");
      await unlink(`${file}.lock`);
      await waiting;
      expect(order).toEqual(["released", "taken"]);
    }
  });

  it("lets only one of many waiters take over a dead lock at a time", async () => {
    const file = path.join(await folder(), "state.json");
    await writeFile(`${file}.lock`, owner({ deadline: Date.now() - 1 }));
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(file, async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 10));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });
});
