/**
 * The README's five-minute tour, run as written: every command of its `sh` blocks, in order, in one
 * shell, from a fresh folder that holds only what "Get Watchpost" leaves there (the packed tarball
 * at `watchpost/watchpost-<version>.tgz`). Each command's exit code is checked against what the
 * README says of it. Offline: npm's cache, no AWS credentials, example.com unreachable or not.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newcomerEnv, packCheckout, readmeBlocks, root } from "../support/package.js";

const TOUR = "Five minutes: your own checks, from a fresh folder";

interface Step {
  command: string;
  code: number;
  output: string;
}

let steps: Step[];
let home: string;
let tour: ChildProcess | undefined;

/** The tour's receiver listens on 8080 as the README writes it: a port already taken is said plainly. */
async function expectFree(port: number): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new Error(`port ${port}, which the README's tour uses, is taken on this machine: ${error.message}`),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/**
 * Runs each command in one bash (so `cd` and `$!` carry over as in a terminal), each inside braces
 * with its output kept apart, and the exit code it left. The commands are the README's, untouched.
 */
async function runAsWritten(commands: string[], cwd: string): Promise<Step[]> {
  const outputs = path.join(cwd, ".tour");
  await mkdir(outputs);
  const script = commands
    .map((command, i) => `{ ${command}\n} > ${outputs}/${i} 2>&1\necho "${i} $?" >> ${outputs}/codes`)
    .join("\n");
  const child = spawn("bash", ["-c", script], {
    // Its own process group: whatever the tour left running (its receiver, if cut short) goes with it.
    detached: true,
    cwd,
    env: {
      ...newcomerEnv(),
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  tour = child;
  // Should vitest itself be stopped (Ctrl-C), the tour's receiver must not be left on its port.
  process.once("exit", stopTour);
  await new Promise((resolve) => child.once("exit", resolve));
  const codes = (await readFile(path.join(outputs, "codes"), "utf8")).trim().split("\n");
  expect(codes, "every command of the tour ran").toHaveLength(commands.length);
  return Promise.all(
    commands.map(async (command, i) => ({
      command,
      code: Number((codes[i] as string).split(" ")[1]),
      output: await readFile(path.join(outputs, String(i)), "utf8"),
    })),
  );
}

/** The tour's commands, a line each, comments and blank lines left out. */
function commandsOf(code: string): string[] {
  return code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

function step(prefix: string, nth = 0): Step {
  const found = steps.filter((s) => s.command.startsWith(prefix));
  const one = found[nth];
  if (!one) throw new Error(`the tour has no command ${nth + 1} starting with ${prefix}`);
  return one;
}

beforeAll(async () => {
  const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
  const readme = await readFile(path.join(root, "README.md"), "utf8");
  // "Get Watchpost" leaves the tarball in the clone, under the name the tour installs.
  const name = `watchpost-${version as string}.tgz`;
  expect(readme).toContain(`watchpost/${name}`);
  home = await mkdtemp(path.join(tmpdir(), "watchpost-tour-"));
  await mkdir(path.join(home, "watchpost"));
  await copyFile(await packCheckout(), path.join(home, "watchpost", name));
  const blocks = (await readmeBlocks("sh")).filter((b) => b.heading === TOUR);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  await expectFree(8080);
  steps = await runAsWritten(
    blocks.flatMap((b) => commandsOf(b.code)),
    home,
  );
}, 900_000);

function stopTour(): void {
  try {
    if (tour?.pid) process.kill(-tour.pid, "SIGKILL");
  } catch {
    // Nothing of the tour is left running.
  }
}

afterAll(stopTour);

describe("the README's five-minute tour, from a fresh folder", () => {
  it("sets up, installs the tarball and writes checks that validate, each command exiting 0", () => {
    for (const prefix of ["mkdir my-monitoring", "npm init", "npm install", "npx watchpost init"])
      expect(step(prefix), step(prefix).output).toMatchObject({ code: 0 });
    const validate = step("npx watchpost validate");
    expect(validate.code, validate.output).toBe(0);
    expect(validate.output).toContain("3 checks in 1 file: valid");
  });

  it("runs the checks: exit 0 when all are up, 1 when one is down, and fires on the second run", () => {
    for (const nth of [0, 1]) {
      const run = step("npx watchpost run", nth);
      expect(run.output).toMatch(/^CHECK +STATUS +LATENCY +REASON$/m);
      const down = /^\S+ +(DOWN|UNKNOWN|SKIPPED) /m.test(run.output);
      expect(run.code, run.output).toBe(down ? 1 : 0);
      // A reason per check, never a stack trace or a warning above the table.
      expect(run.output.startsWith("CHECK"), run.output).toBe(true);
    }
    const second = step("npx watchpost run", 1);
    if (/ DOWN /.test(second.output)) expect(second.output).toMatch(/^FIRING +\[CRITICAL\] /m);
  });

  it("writes the status page from the history the runs kept", async () => {
    const status = step("npx watchpost status");
    expect(status.code, status.output).toBe(0);
    const pub = path.join(home, "my-monitoring", "public");
    expect((await stat(path.join(pub, "index.html"))).size).toBeGreaterThan(0);
    const json = JSON.parse(await readFile(path.join(pub, "status.json"), "utf8"));
    const checks = json.groups.flatMap((g: { checks: { name: string }[] }) => g.checks);
    expect(checks.map((c: { name: string }) => c.name).sort()).toEqual([
      "example-certificate",
      "example-dns",
      "example-homepage",
    ]);
  });

  it("sends a test FIRING and its RESOLVED to the throwaway receiver, which prints both", () => {
    const notify = step("npx watchpost notify --test");
    expect(notify.code, notify.output).toBe(0);
    const received = step("node -e").output;
    expect(received).toMatch(/"status":"firing"|FIRING/i);
    expect(received).toMatch(/"status":"resolved"|RESOLVED/i);
  });
});
