/**
 * A run killed at any point costs no page: `watchpost run --watch` (the bundled CLI) is killed with
 * SIGKILL during its probes, while a process holds the state file's lock, and between writing the
 * FIRING with its state and the webhook's answer; the next run delivers the owed FIRING once per
 * dedupKey, without waiting for the dead process's lock or claims to age out.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import http from "node:http";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../support/bundle.js";
import { closedPort } from "../../support/servers.js";

interface Received {
  dedupKey: string;
  type: string;
  answered: boolean;
  at: number;
}

let cli: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  cli = await bundle(path.join(import.meta.dirname, "../../../bin/watchpost.ts"));
}, 60_000);

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** A webhook that holds its answers while `hold` is true (the request was sent; the answer never comes). */
async function receiver() {
  const received: Received[] = [];
  const state = { hold: false };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk;
    });
    req.on("end", () => {
      const parsed = JSON.parse(body) as { type: string; transitions: { dedupKey: string }[] };
      const held = state.hold;
      for (const t of parsed.transitions)
        received.push({ dedupKey: t.dedupKey, type: parsed.type, answered: !held, at: Date.now() });
      if (!held) res.writeHead(200).end("ok");
    });
  });
  server.on("connection", (socket) => socket.on("error", () => {}));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function folder(intervalSeconds: number) {
  const dir = await mkdtemp(path.join(tmpdir(), "watchpost-kill-"));
  const port = await closedPort();
  await writeFile(
    path.join(dir, "checks.yml"),
    `checks:
  - name: api
    interval: ${intervalSeconds}s
    timeout: 1s
    retries: 0
    alert: { failAfter: 1 }
    tcp: { host: 127.0.0.1, port: ${port} }
`,
  );
  return { dir, state: path.join(dir, "state.json") };
}

function watch(dir: string, state: string, hook: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [cli, "run", "--checks", dir, "--state", state, "--watch", "--webhook", hook],
    { stdio: "ignore" },
  );
  children.push(child);
  return child;
}

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

describe("a run killed with SIGKILL", () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    hook = await receiver();
  });
  afterAll(() => hook?.close());

  it("between the state write and the notification: the next run delivers the FIRING, once", async () => {
    const { dir, state } = await folder(3);
    hook.received.length = 0;
    hook.state.hold = true;
    const first = watch(dir, state, hook.url);
    await until("the FIRING to be sent", () => hook.received.length > 0);
    await killed(first);
    hook.state.hold = false;
    const restarted = Date.now();
    watch(dir, state, hook.url);
    await until("the FIRING to be delivered", () => hook.received.some((r) => r.answered));
    const delivered = hook.received.find((r) => r.answered) as Received;
    // The first run of the new process delivers it: no wait for the dead run's claim to expire.
    expect(delivered.at - restarted).toBeLessThan(10_000);
    // Two more intervals: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const answered = hook.received.filter((r) => r.answered);
    expect(answered.map((r) => `${r.type} ${r.dedupKey}`)).toEqual([`FIRING ${delivered.dedupKey}`]);
    expect(new Set(hook.received.map((r) => r.dedupKey))).toEqual(new Set([delivered.dedupKey]));
  }, 60_000);

  it("during its probes: the next run decides and delivers the FIRING once", async () => {
    const { dir, state } = await folder(3);
    hook.received.length = 0;
    const first = watch(dir, state, hook.url);
    // Killed before its first run can have decided anything (the probe takes up to its timeout).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await killed(first);
    watch(dir, state, hook.url);
    await until("the FIRING to be delivered", () => hook.received.some((r) => r.answered));
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(hook.received.filter((r) => r.answered).map((r) => r.type)).toEqual(["FIRING"]);
  }, 60_000);

  it("while holding the state file's lock: the next run takes the lock over at once", async () => {
    const { dir, state } = await folder(3);
    hook.received.length = 0;
    // A process that takes the lock as Watchpost does, and is killed holding it.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `require("node:fs").writeFileSync(${JSON.stringify(`${state}.lock`)}, JSON.stringify({ pid: process.pid, host: ${JSON.stringify(hostname())}, start: Date.now(), deadline: Date.now() + 30000 }) + "\\n", { flag: "wx" }); console.log("held"); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout?.once("data", () => resolve()));
    await killed(holder);
    const started = Date.now();
    watch(dir, state, hook.url);
    await until("the FIRING to be delivered", () => hook.received.some((r) => r.answered));
    // Not the 20 s a live holder would be waited for, nor the 30 s a lock took to go stale.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hook.received.filter((r) => r.answered).map((r) => r.type)).toEqual(["FIRING"]);
  }, 60_000);
});
