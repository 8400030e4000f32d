/**
 * Three locations with real networks of their own (Linux network namespaces): the home "a" in the
 * test's namespace, "b" and "c" in namespaces of their own, the target in a fourth, each location
 * joined to it by its own veth pair. Each location is a `watchpost run` process (the bundled CLI)
 * sharing one --state, as cron would run them. Quorum 2 of 3.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../support/bundle.js";
import { netnsAvailable, Partitionable } from "../../support/netns.js";
import { type Target, type WebhookBody, webhookReceiver } from "../../support/servers.js";

const available = netnsAvailable();
const ADDRESS = "10.250.7.1";
const net = new Partitionable(String(process.pid % 10_000), ADDRESS);
let cli: string;
let folder: string;
let hook: Target;
let server: ChildProcess | undefined;
let received: WebhookBody[] = [];

function startTarget(): Promise<void> {
  const script = `require("node:http").createServer((q, s) => s.end("ok")).listen(8080, "0.0.0.0", () => process.stdout.write("ready\\n"));`;
  server = spawn("ip", ["netns", "exec", net.target, process.execPath, "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve) => server?.stdout?.once("data", () => resolve()));
}

function stopTarget(): Promise<void> {
  return new Promise((resolve) => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return resolve();
    server.once("exit", () => resolve());
    server.kill("SIGKILL");
  });
}

/** One run of one location, in its own network. */
function runAt(location: "a" | "b" | "c"): Promise<{ stdout: string; stderr: string }> {
  const args = [
    cli,
    "run",
    "--checks",
    folder,
    "--state",
    path.join(folder, "state.json"),
    "--location",
    location,
    "--locations",
    "a,b,c",
    "--webhook",
    hook.url,
  ];
  const [command, argv] =
    location === "a"
      ? [process.execPath, args]
      : ["ip", ["netns", "exec", net.namespace(location), process.execPath, ...args]];
  return new Promise((resolve) =>
    execFile(command, argv as string[], { timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ stdout, stderr }),
    ),
  );
}

async function round() {
  const b = await runAt("b");
  const c = await runAt("c");
  const a = await runAt("a");
  return { a, b, c };
}

describe.skipIf(!available)("three locations in network namespaces, quorum 2 of 3", () => {
  beforeAll(async () => {
    cli = await bundle(path.join(import.meta.dirname, "../../../bin/watchpost.ts"));
    folder = await mkdtemp(path.join(tmpdir(), "watchpost-netns-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: api\n    timeout: 2s\n    retries: 0\n    alert: { failAfter: 2, quorum: 2, confirmAfter: false }\n    http: { url: "http://${ADDRESS}:8080/health" }\n`,
    );
    ({ hook, received } = await webhookReceiver());
    net.setUp([{ name: "a", root: true }, { name: "b" }, { name: "c" }]);
    await startTarget();
  }, 60_000);

  afterAll(async () => {
    await stopTarget();
    net.tearDown();
    await hook?.close();
  });

  it("a partitioned location never pages, a real outage pages once naming the locations, a silent one is named", async () => {
    // Every location reaches the target.
    const healthy = await round();
    for (const run of Object.values(healthy)) expect(run.stdout).toMatch(/api +UP/);

    // b's route to the target is cut: b sees it down, a and c up. Three rounds: nothing is sent.
    net.cut("b");
    for (let i = 0; i < 3; i++) {
      const { a, b } = await round();
      expect(b.stdout).toMatch(/api +DOWN .*network unreachable: 10\.250\.7\.1:8080/);
      expect(a.stdout).toMatch(/api +UP/);
    }
    expect(received).toEqual([]);

    // The target really goes down: a and c see it refuse (b still cannot reach it). Quorum reached
    // in two rounds (failAfter 2): one FIRING, naming the locations that saw it down.
    await stopTarget();
    for (let i = 0; i < 3; i++) await round();
    const firing = received.filter((n) => n.type === "FIRING");
    expect(firing).toHaveLength(1);
    expect(firing[0]?.transitions[0]?.reason).toMatch(
      /^down from 3 of 3 locations: a \(connection refused by 10\.250\.7\.1:8080\), b \(network unreachable: 10\.250\.7\.1:8080\), c \(connection refused by 10\.250\.7\.1:8080\)$/,
    );
    expect(firing[0]?.transitions[0]?.location).toBe("a, b, c");

    // c stops reporting: once its last report is past the interval and a minute, the home names it
    // and decides on a and b (still down, 2 of 2): no second FIRING.
    const records = JSON.parse(await readFile(path.join(folder, "state.runs.json"), "utf8"));
    for (const result of records.records["c/local"].results)
      result.startedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    await writeFile(path.join(folder, "state.runs.json"), JSON.stringify(records));
    await runAt("b");
    const home = await runAt("a");
    expect(home.stderr).toMatch(/^locations: c has not reported since \S+; not counted up or down$/m);
    expect(received.filter((n) => n.type === "FIRING")).toHaveLength(1);
  }, 120_000);
});
