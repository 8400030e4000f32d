/**
 * State and history are validated on read: a state entry, history day or incidents file of the wrong
 * shape is refused before anything runs, in one line naming the file, the entry and what was wrong,
 * exit 2, by `run`, `status` and `slo` alike; nothing is written over it.
 */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";

let dir: string;
let state: string;

async function cli(...args: string[]) {
  const stdout = stream();
  const stderr = stream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const entry = (overrides: Record<string, unknown>) => ({
  check: "api",
  version: 3,
  failures: 0,
  successes: 2,
  lastStatus: "up",
  lastReason: "200 OK",
  lastRunAt: "2026-12-06T10:00:00.000Z",
  outbox: [],
  ...overrides,
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-shape-"));
  state = path.join(dir, "state.json");
  await writeFile(
    path.join(dir, "checks.yml"),
    "checks:\n  - name: api\n    tcp: { host: 127.0.0.1, port: 9 }\n    slo: { availability: 99% }\n",
  );
});

describe("state of the wrong shape", () => {
  it.each([
    [42, 'entry "api": expected an object, found 42'],
    [entry({ version: "seven" }), 'entry "api": version: expected a whole number, found "seven"'],
    [entry({ outbox: {} }), 'entry "api": outbox: expected a list, found {}'],
    [
      entry({ outbox: [{ transition: { type: "FIRING", check: "api" } }] }),
      'entry "api": outbox[0].transition.status: expected one of up, degraded, down, unknown, skipped, found nothing',
    ],
  ])(
    "refuses %j before the run, in one line, exit 2, and leaves the file as it was",
    async (value, problem) => {
      const text = `${JSON.stringify({ format: 1, checks: { api: value } }, null, 2)}\n`;
      await writeFile(state, text);
      const run = await cli("run", "--checks", dir, "--state", state);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(
        `cannot use the state file ${state}: it is not a Watchpost state file: ${problem}`,
      );
      expect(await readFile(state, "utf8")).toBe(text);
    },
  );
});

describe("history of the wrong shape", () => {
  const historyDir = () => path.join(dir, "state.history");

  it("refuses a corrupt day in run, status and slo alike, exit 2, naming the file and the entry", async () => {
    await mkdir(path.join(historyDir(), "days"), { recursive: true });
    const day = new Date().toISOString().slice(0, 10);
    const file = path.join(historyDir(), "days", `${day}.json`);
    await writeFile(file, JSON.stringify({ format: 1, checks: { api: { runs: "many" } } }));
    const problem = `${file} is not a Watchpost history day: entry "api": runs: expected a whole number, found "many"`;
    for (const args of [
      ["run", "--checks", dir, "--state", state],
      ["status", "--checks", dir, "--state", state, "--out", path.join(dir, "page")],
      ["slo", "--checks", dir, "--state", state],
    ]) {
      const answer = await cli(...args);
      expect(answer.code, `${args[0]}: ${answer.stderr}`).toBe(2);
      expect(answer.stderr.trim().split("\n"), args[0]).toHaveLength(1);
      expect(answer.stderr, args[0]).toContain(problem);
    }
  });

  it("refuses an incidents file whose incident is malformed", async () => {
    await mkdir(historyDir(), { recursive: true });
    const file = path.join(historyDir(), "incidents.json");
    await writeFile(file, JSON.stringify({ format: 1, incidents: [{ check: "api", id: 7 }] }));
    const answer = await cli("slo", "--checks", dir, "--state", state);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain(
      `${file} is not a Watchpost incidents file: incident 0: id: expected text, found 7`,
    );
  });
});
