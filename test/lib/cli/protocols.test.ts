/** grpc and websocket checks through the CLI: validate, run, --watch, plan, as every kind goes. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";
import { type GrpcTarget, grpcTarget } from "../../support/grpc-servers.js";
import { type WebsocketTarget, websocketTarget } from "../../support/websocket-servers.js";

let dir: string;
let grpcServer: GrpcTarget;
let echo: WebsocketTarget;

async function cli(...args: string[]) {
  const stdout = stream();
  const stderr = stream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

beforeAll(async () => {
  [grpcServer, echo] = await Promise.all([
    grpcTarget({ statuses: { "": "SERVING", payments: "NOT_SERVING" } }),
    websocketTarget({ echo: true }),
  ]);
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-cli-protocols-"));
  await writeFile(
    path.join(dir, "checks.yml"),
    `defaults: { retries: 0, timeout: 2s }
checks:
  - name: grpc-serving
    grpc: { target: "${grpcServer.target}" }
  - name: grpc-payments
    grpc: { target: "${grpcServer.target}", service: payments }
  - name: feed
    websocket: { url: "${echo.url}/feed", send: ping, expect: { message: { contains: ping } } }
`,
  );
}, 30_000);

afterAll(async () => {
  await Promise.all([grpcServer?.close(), echo?.close()]);
});

describe("grpc and websocket checks in the CLI", () => {
  it("run probes them and exits 1 for the one that is down", async () => {
    const { code, stdout } = await cli("run", "--checks", dir, "--json", "--state", path.join(dir, "s.json"));
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as { name: string; kind: string; status: string; reason: string }[];
    expect(results.map((r) => [r.name, r.kind, r.status, r.reason])).toEqual([
      ["grpc-serving", "grpc", "up", "the server is SERVING"],
      ["grpc-payments", "grpc", "down", 'service "payments" is NOT_SERVING'],
      ["feed", "websocket", "up", 'upgraded, answered "ping"'],
    ]);
  });

  it("--watch runs them again until stopped", async () => {
    const stop = new AbortController();
    const stdout = stream();
    (stdout as unknown as PassThrough).on("data", () => stop.abort());
    const code = await main(
      ["run", "--checks", dir, "--watch", "--json", "--only", "feed", "--state", path.join(dir, "w.json")],
      { stdout, stderr: stream(), stopSignal: stop.signal },
    );
    expect(code).toBe(130);
    expect(JSON.parse(stdout.text().split("\n")[0] as string)).toMatchObject({ name: "feed", status: "up" });
  });

  it("validate positions a wrong field of each kind", async () => {
    const broken = await mkdtemp(path.join(tmpdir(), "watchpost-cli-protocols-broken-"));
    await writeFile(
      path.join(broken, "checks.yml"),
      `checks:
  - name: grpc-bad
    grpc: { target: "grpc://api:50051" }
  - name: feed-bad
    websocket: { url: "https://api.test/feed", expect: { status: 99 } }
`,
    );
    const { code, stderr } = await cli("validate", "--checks", broken);
    expect(code).toBe(2);
    expect(stderr).toContain("checks.yml:3:21: checks[0].grpc.target: expected host:port");
    expect(stderr).toContain(
      "checks.yml:5:23: checks[1].websocket.url: expected an absolute ws:// or wss:// URL",
    );
    expect(stderr).toMatch(
      /checks\.yml:5:\d+: checks\[1\]\.websocket\.expect\.status: expected an HTTP status code/,
    );
  });

  it("plan shards them and asks IAM for nothing new", async () => {
    const { code, stdout } = await cli("plan", "--checks", dir);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^3 checks in 1 shard/);
    expect(stdout).toContain(
      "IAM: no check asks for more than the monitor's own table, topic, key and metrics.",
    );
  });
});
