/**
 * `watchpost run` (the bundled CLI) against a remote-write receiver and a webhook that accept the
 * connection and never answer: both are given up at the run's deadline, reported, and the process
 * exits within a second of its report, no socket left to hold it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../support/bundle.js";
import { type Target, tcpTarget } from "../../support/servers.js";

let cli: string;
let silent: Target;
let dir: string;

beforeAll(async () => {
  cli = await bundle(path.join(import.meta.dirname, "../../../bin/watchpost.ts"));
  // Reads what it is sent, as a receiver would, and never answers.
  silent = await tcpTarget((socket) => socket.resume());
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-never-answering-"));
  // The run's budget is the shortest interval: 5 s here.
  await writeFile(
    path.join(dir, "checks.yml"),
    `checks:
  - name: down-one
    interval: 5s
    timeout: 2s
    retries: 0
    alert: { failAfter: 1 }
    tcp: { host: 127.0.0.1, port: 1 }
`,
  );
}, 60_000);

afterAll(() => silent.close());

describe("watchpost run with receivers that never answer", () => {
  it("reports both given up at the deadline and exits within its budget and a second", async () => {
    const base = silent.url.replace("tcp:", "http:");
    const child = spawn(
      process.execPath,
      [
        cli,
        "run",
        "--checks",
        dir,
        "--state",
        path.join(dir, "state.json"),
        "--remote-write",
        `${base}/api/v1/write`,
        "--webhook",
        `${base}/hook`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    let firstAt = 0;
    let lastAt = 0;
    const read = (chunk: Buffer) => {
      output += chunk;
      firstAt ||= performance.now();
      lastAt = performance.now();
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const exitAt = performance.now();
    expect(output).toMatch(/remote-write http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: FAILED/);
    expect(output).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+: no answer before the run's deadline/);
    expect(code).toBe(1);
    // The first line is printed once the probes are done, inside the run's 5 s budget.
    expect(exitAt - firstAt).toBeLessThan(5_000 + 1_000);
    expect(exitAt - lastAt).toBeLessThan(1_000);
  }, 60_000);
});
