/**
 * `trace: true`: W3C traceparent on every http request of a check (retries and a flow's steps
 * included), one trace id per run, a new span per request, the id in the JSON result and in the
 * notification; refused on kinds that make no http request.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";
import { httpTarget, type Target, webhookReceiver } from "../../support/servers.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
let dir: string;
let api: Target;
const seen: { path: string; traceparent?: string; tracestate?: string }[] = [];
let flaky = 0;

beforeAll(async () => {
  api = await httpTarget((req, res) => {
    seen.push({
      path: req.url ?? "",
      traceparent: req.headers.traceparent as string | undefined,
      tracestate: req.headers.tracestate as string | undefined,
    });
    if (req.url === "/flaky") return void res.writeHead(flaky++ === 0 ? 503 : 200).end();
    if (req.url === "/login")
      return void res.writeHead(200, { "content-type": "application/json" }).end('{"token":"t0k3n-abc"}');
    res.writeHead(req.url === "/down" ? 500 : 200).end();
  });
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-trace-"));
});

afterAll(async () => {
  await api?.close();
});

async function run(checks: string, args: string[] = []) {
  const file = path.join(dir, `checks-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, checks);
  const stdout = stream();
  const stderr = stream();
  const code = await main(["run", "--checks", file, "--json", ...args], { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("traceable probe requests", () => {
  it("sends one trace per run, a new span per request (retries too), and keeps the trace id in the result", async () => {
    seen.length = 0;
    flaky = 0;
    const { code, stdout, stderr } = await run(`checks:
  - name: flaky-api
    trace: true
    retries: 1
    http: { url: "${api.url}/flaky" }
  - name: plain
    http: { url: "${api.url}/plain" }
`);
    expect(code, stderr).toBe(0);
    const [result] = JSON.parse(stdout) as { name: string; traceId?: string; attempts: number }[];
    expect(result?.attempts).toBe(2);
    const requests = seen.filter((s) => s.path === "/flaky");
    expect(requests).toHaveLength(2);
    const parsed = requests.map((r) => TRACEPARENT.exec(r.traceparent ?? ""));
    expect(parsed.every(Boolean)).toBe(true);
    expect(parsed[0]?.[1]).toBe(parsed[1]?.[1]);
    expect(parsed[0]?.[2]).not.toBe(parsed[1]?.[2]);
    expect(result?.traceId).toBe(parsed[0]?.[1]);
    expect(requests[0]?.tracestate).toBe("watchpost=flaky-api");
    // Without trace: true, no header and no id.
    expect(seen.find((s) => s.path === "/plain")?.traceparent).toBeUndefined();
    expect(JSON.parse(stdout)[1]).not.toHaveProperty("traceId");
  });

  it("stamps every http step of a flow from the defaults, one trace id for the flow, new each run", async () => {
    const checks = `defaults:
  trace: true
checks:
  - name: flow
    steps:
      - name: login
        http: { url: "${api.url}/login" }
        extract: { token: { json: $.token } }
      - name: use
        http: { url: "${api.url}/use", headers: { authorization: "Bearer \${var:token}" } }
`;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      seen.length = 0;
      const { code, stdout, stderr } = await run(checks);
      expect(code, stderr).toBe(0);
      const traces = seen.map((s) => TRACEPARENT.exec(s.traceparent ?? "")?.[1]);
      expect(seen.map((s) => s.path)).toEqual(["/login", "/use"]);
      expect(new Set(traces).size).toBe(1);
      expect(JSON.parse(stdout)[0].traceId).toBe(traces[0]);
      ids.push(traces[0] as string);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("puts the trace id in the notification, and lets a check's own traceparent win", async () => {
    seen.length = 0;
    const { hook, received } = await webhookReceiver();
    try {
      const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      const { stdout } = await run(
        `defaults:
  alert: { failAfter: 1, confirmAfter: false }
  retries: 0
checks:
  - name: failing
    trace: true
    http: { url: "${api.url}/down" }
  - name: own-header
    trace: true
    http: { url: "${api.url}/own", headers: { traceparent: "${own}" } }
`,
        ["--webhook", hook.url, "--state", path.join(dir, "state.json")],
      );
      const failing = (JSON.parse(stdout) as { name: string; traceId: string }[]).find(
        (r) => r.name === "failing",
      );
      const firing = received.flatMap((b) => b.transitions).find((t) => t.check === "failing") as unknown as {
        traceId: string;
      };
      expect(firing.traceId).toBe(failing?.traceId);
      expect(seen.find((s) => s.path === "/own")?.traceparent).toBe(own);
    } finally {
      await hook.close();
    }
  });

  it("is refused on a check that makes no http request, with its place", async () => {
    const { code, stderr } = await run(`checks:
  - name: port
    trace: true
    tcp: { host: 127.0.0.1, port: ${api.port} }
`);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /checks-\w+\.yml:3:12: checks\[0\]\.trace: expected trace only on a check that makes http requests \(http, steps\), found it on a tcp check/,
    );
  });
});
