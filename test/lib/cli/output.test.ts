import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { formatTable } from "../../../lib/cli/output.js";
import { Progress } from "../../../lib/cli/progress.js";
import type { CheckResult } from "../../../lib/result.js";
import { stream } from "../../support/cli.js";
import { HOSTILE, TERMINAL_CONTROLS } from "../../support/hostile.js";
import { httpTarget, type Target } from "../../support/servers.js";

/** Watchpost's own colours: the only escape sequences a terminal may get from it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what it looks for.
const OWN_COLOUR = /\x1b\[(?:3[1-6]|0)m/g;

function result(name: string, reason: string): CheckResult {
  return {
    name,
    kind: "http",
    target: "https://api.example/",
    status: "down",
    reason,
    attempts: 1,
    startedAt: "",
    durationMs: 12,
    severity: "critical",
    labels: {},
    conditions: [],
  };
}

describe("the terminal table", () => {
  // Raw, as a result from before the engine escaped reasons would carry it.
  const rows = [result("api", HOSTILE), result("web", "status 503, expected 200")];

  it("prints what a target wrote as text: no byte a terminal interprets but its own colours", () => {
    for (const width of [undefined, 60]) {
      const table = formatTable(rows, true, width);
      expect(table.match(OWN_COLOUR)).toHaveLength(4);
      expect(table.replace(OWN_COLOUR, "")).not.toMatch(TERMINAL_CONTROLS);
    }
  });

  it("keeps one line a row: a CR/LF in a reason cannot forge a row", () => {
    const lines = formatTable(rows, false).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain("\\r\\nCHECK      STATUS  forged-row  UP\\r\\n");
    expect(lines[1]).toContain("\\x1b]8;;https://evil.example/\\x07click");
    expect(lines[2]).toMatch(/^web /);
  });
});

describe("the progress line", () => {
  it("shows a stage with control characters as escapes, on one line", () => {
    let now = 0;
    const progress = new Progress(stream(), 2, () => now);
    progress.stage("api", `waiting for response headers from ${HOSTILE}`);
    now = 2_000;
    const line = progress.line(2_000);
    expect(line).not.toMatch(TERMINAL_CONTROLS);
    expect(line).not.toContain("\n");
    expect(line).toContain("\\x1b[2J");
    expect(progress.line(40)).toHaveLength(40);
  });
});

describe("watchpost run on a terminal", () => {
  let target: Target;
  let dir: string;

  beforeAll(async () => {
    target = await httpTarget((_req, res) =>
      res.writeHead(200).end(`\x1b[2J\x1b]52;c;ZXZpbA==\x07${HOSTILE}`),
    );
    dir = await mkdtemp(path.join(tmpdir(), "watchpost-terminal-"));
    await mkdir(path.join(dir, "checks"));
    await writeFile(
      path.join(dir, "checks", "c.yml"),
      `checks:\n  - name: hostile\n    retries: 0\n    alert: { failAfter: 1 }\n    http: { url: "${target.url}/", expect: { json: [{ path: $.a, equals: 1 }] } }\n`,
    );
  });

  afterAll(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the table and the FIRING with the body's ESC sequences as text", async () => {
    const stdout = stream();
    const stderr = stream();
    const code = await main(
      ["run", "--checks", path.join(dir, "checks"), "--state", path.join(dir, "state.json")],
      { stdout, stderr },
    );
    expect(code).toBe(1);
    const out = stdout.text();
    expect(out).toContain("hostile");
    expect(out).toContain("\\x1b[2J");
    expect(out).toMatch(/FIRING +\[CRITICAL\] hostile is DOWN/);
    expect(out).not.toMatch(TERMINAL_CONTROLS);
    expect(stderr.text()).not.toMatch(TERMINAL_CONTROLS);
  });
});
