/**
 * Heartbeat checks end to end on one machine, as a user tries them: `watchpost run --watch --listen`
 * (the bundled CLI) evaluates them and serves the ping endpoint; jobs ping it with `watchpost ping`;
 * alerts arrive at a webhook. Hostile requests are sent straight to the endpoint.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../support/bundle.js";
import { startProxy } from "../../support/proxy.js";
import { closedPort, type Target, webhookReceiver } from "../../support/servers.js";

interface Firing {
  type: string;
  transitions: { check: string; reason: string; at: string; log?: string }[];
}

let cli: string;
let folder: string;
let state: string;
let base: string;
let watcher: ChildProcess;
let hook: Target;
let received: Firing[];
let stderr = "";

const CHECKS = `
defaults:
  interval: 3s
  timeout: 2s
checks:
  - name: quiet-job
    heartbeat: { every: 4s, grace: 2s }
  - name: failing-job
    heartbeat: { every: 1h }
  - name: dump-job
    heartbeat: { every: 1h, expect: { minDuration: 5s, minSize: 1KiB } }
  - name: flood-job
    heartbeat: { every: 1h, expect: { minInterval: 0s } }
`;

function cliRun(
  args: string[],
  input?: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [
        cli,
        ...args,
        "--state",
        state,
        ...(args[0] === "ping" && !args.includes("--url") ? ["--url", base] : []),
        ...(args[0] === "token" ? ["--checks", folder] : []),
      ],
      { timeout: 30_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

const pings = async () =>
  JSON.parse(await readFile(path.join(folder, "state.pings.json"), "utf8")) as {
    checks: Record<string, { pings: number; lastPingAt?: number }>;
  };

async function firingFor(check: string, timeoutMs = 30_000): Promise<Firing["transitions"][number]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = received
      .filter((n) => n.type === "FIRING")
      .flatMap((n) => n.transitions)
      .find((t) => t.check === check);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no FIRING for ${check}; the watcher said:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function request(pathname: string, init: RequestInit & { token?: string } = {}) {
  const token =
    init.token ??
    (await cliRun(["token", (pathname.split("/")[2] as string).split("?")[0] as string])).stdout.trim();
  const response = await fetch(`${base}${pathname}`, {
    method: "POST",
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
  return { status: response.status, text: (await response.text()).trim() };
}

beforeAll(async () => {
  cli = await bundle(path.join(import.meta.dirname, "../../../bin/watchpost.ts"));
  folder = await mkdtemp(path.join(tmpdir(), "watchpost-heartbeat-"));
  state = path.join(folder, "state.json");
  await writeFile(path.join(folder, "jobs.yml"), CHECKS);
  ({ hook, received } = await webhookReceiver<Firing>());
  const port = await closedPort();
  base = `http://127.0.0.1:${port}`;
  watcher = spawn(
    process.execPath,
    [
      cli,
      "run",
      "--checks",
      folder,
      "--state",
      state,
      "--watch",
      "--listen",
      `127.0.0.1:${port}`,
      "--webhook",
      hook.url,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    watcher.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("listening for heartbeat pings")) resolve();
    });
    watcher.once("exit", (code) => reject(new Error(`the watcher exited (${code}):\n${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  watcher?.kill("SIGTERM");
  await hook?.close();
});

describe("heartbeat checks through the CLI", () => {
  it("fires for a job that stops pinging, within every + grace and one evaluation interval", async () => {
    const ping = await cliRun(["ping", "quiet-job"]);
    expect(ping).toMatchObject({ code: 0, stdout: "recorded success for quiet-job\n" });
    const pingedAt = (await pings()).checks["quiet-job"]?.lastPingAt as number;
    const firing = await firingFor("quiet-job");
    expect(firing.reason).toMatch(/^no ping for \d+s, expected every 4s \(\+2s grace\)$/);
    const after = Date.parse(firing.at) - pingedAt;
    // Late only once every + grace (6s) have passed; decided by the next evaluation (every 3s).
    expect(after).toBeGreaterThan(6_000);
    expect(after).toBeLessThanOrEqual(6_000 + 3_000 + 2_000);
  }, 40_000);

  it("fires for a failure with the job's exit code and its log's tail", async () => {
    const log = `starting dump\n${"x".repeat(10_000)}\nmysqldump: Got error: 1045: Access denied for user 'backup'\n`;
    const ping = await cliRun(["ping", "failing-job", "--exit-code", "2", "--log", "-"], log);
    expect(ping).toMatchObject({ code: 0, stdout: "recorded fail (exit 2) for failing-job\n" });
    const firing = await firingFor("failing-job");
    expect(firing.reason).toBe(
      "job reported failure (exit 2): mysqldump: Got error: 1045: Access denied for user 'backup'",
    );
    expect(firing.log?.endsWith("Access denied for user 'backup'")).toBe(true);
    expect(Buffer.byteLength(firing.log ?? "")).toBeLessThanOrEqual(4_096);
  }, 40_000);

  it("is down for a success that ran too briefly and produced too little", async () => {
    expect((await cliRun(["ping", "dump-job", "--start"])).code).toBe(0);
    expect((await cliRun(["ping", "dump-job", "--size", "10"])).code).toBe(0);
    const firing = await firingFor("dump-job");
    expect(firing.reason).toMatch(
      /^ran for \ds, expected at least 5s; produced 10 B, expected at least 1 KiB$/,
    );
  }, 40_000);

  it("answers hostile pings clearly and records none of them", async () => {
    const before = await pings();
    expect(await request("/ping/no-such-job")).toEqual({
      status: 404,
      text: 'no heartbeat check named "no-such-job"',
    });
    expect(await request("/ping/flood-job", { token: "guessed" })).toEqual({
      status: 401,
      text: "wrong token for flood-job",
    });
    expect(await request("/ping/flood-job", { headers: { authorization: "" } })).toMatchObject({
      status: 401,
    });
    expect(await request("/ping/flood-job/restart")).toMatchObject({
      status: 404,
      text: expect.stringContaining('"restart" is not a ping'),
    });
    expect(await request("/ping/flood-job?size=lots")).toEqual({
      status: 400,
      text: 'size= expects a whole number of bytes, found "lots"',
    });
    expect(await request("/ping/flood-job", { method: "DELETE" })).toMatchObject({ status: 405 });
    // Malformed percent-encoding is an answer, not a crash of the process serving pings.
    expect(await request("/ping/%E0%A4%A", { token: "x" })).toEqual({
      status: 404,
      text: "not a ping address: the check's name is not valid percent-encoding",
    });
    expect(await request("/ping/flood-job", { body: "y".repeat(200_000) })).toEqual({
      status: 413,
      text: "a body of 200000 bytes is over the 100000-byte limit; send the log's tail (tail -c 4096)",
    });
    expect((await pings()).checks["flood-job"]).toEqual(before.checks["flood-job"]);
    // A flood: the first 30 in a minute are recorded, the rest refused and not counted.
    const token = (await cliRun(["token", "flood-job"])).stdout.trim();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await request("/ping/flood-job", { token })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
    expect((await pings()).checks["flood-job"]?.pings).toBe(30);
    // A wrong token is still refused as wrong once the check's own quota is used up.
    expect((await request("/ping/flood-job", { token: "guessed" })).status).toBe(401);
  }, 40_000);

  it("pings through HTTP_PROXY, as a job in a network whose way out is a proxy must", async () => {
    const proxy = await startProxy({ hosts: { "jobs.vpc.example": "127.0.0.1" } });
    try {
      const url = base.replace("127.0.0.1", "jobs.vpc.example");
      const before = (await pings()).checks["failing-job"]?.pings ?? 0;
      const ping = await cliRun(["ping", "failing-job", "--url", url], "", {
        HTTP_PROXY: proxy.url,
        NO_PROXY: "",
      });
      expect(ping, ping.stderr).toMatchObject({ code: 0 });
      expect(proxy.asked).toEqual([`POST ${url}/ping/failing-job`]);
      expect((await pings()).checks["failing-job"]?.pings).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  }, 40_000);

  it("says what is wrong with a ping's command line, and when the endpoint refuses", async () => {
    expect(await cliRun(["ping", "dump-job", "--start", "--fail"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "give one of --start, --fail and --exit-code, found --start and --fail",
      ),
    });
    expect(await cliRun(["ping", "dump-job", "--exit-code", "300"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--exit-code expects a whole number from 0 to 255, found "300"'),
    });
    expect(await cliRun(["ping", "nobody"])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('answered 404: no heartbeat check named "nobody"'),
    });
  }, 40_000);
});
