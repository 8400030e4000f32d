/**
 * Flows through `watchpost run` against a local API: a login that issues random tokens, then an
 * order created, read and deleted with the token. Each way a flow fails has its own reason, the
 * `always` cleanup runs after a failed step, and no token the API issued reaches any output: the
 * table, --json, the state file, the webhook's payloads or the remote-write bodies.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { runChecks } from "../../../lib/engine.js";
import type { CheckResult } from "../../../lib/result.js";
import { check } from "../../support/checks.js";
import { stream } from "../../support/cli.js";
import { decodeWriteRequest } from "../../support/remote-write.js";
import { httpTarget, type Target } from "../../support/servers.js";

const PASSWORD = "Pw-7f3kq2-probe";
/** Every token and order id the API gave out. */
const issued: string[] = [];
/** The tokens the API accepts. */
const tokens = new Set<string>();
/** Requests the API saw: `DELETE /m/healthy/orders/…`, with the token each carried. */
const seen: { line: string; auth?: string }[] = [];
const webhook: string[] = [];
const remoteWrite: Buffer[] = [];
const servers: Target[] = [];
let api: Target;
let dir: string;

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** The API. `/m/MODE/…` chooses how it misbehaves, so one run holds every scenario. */
function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
  const [, , mode, resource, id] = (req.url ?? "").split("/");
  seen.push({
    line: `${req.method} ${req.url}`,
    ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
  });
  if (resource === "login" && req.method === "POST") {
    if ((JSON.parse(body) as { password?: string }).password !== PASSWORD)
      return json(res, 401, { error: "no" });
    const token = randomBytes(16).toString("hex");
    issued.push(token);
    tokens.add(token);
    return json(res, 200, mode === "no-token" ? { session: "none" } : { token });
  }
  const token = req.headers.authorization?.replace(/^Bearer /, "");
  if (!token || !tokens.has(token)) return json(res, 401, { error: "no token" });
  if (resource === "orders" && req.method === "POST") {
    const orderId = randomBytes(6).toString("hex");
    issued.push(orderId);
    return json(res, 201, { id: orderId, state: "open" }, { etag: `"${orderId}"` });
  }
  if (resource === "orders" && req.method === "GET") {
    if (mode === "read-fails") return json(res, 500, { error: "boom" });
    // Never answers: the step's own timeout, or the flow's, cuts it.
    if (mode === "read-hangs") return;
    return json(
      res,
      200,
      { id, state: "open" },
      { "x-order-state": mode === "read-closed" ? "closed" : "open" },
    );
  }
  if (resource === "orders" && req.method === "DELETE") return void res.writeHead(204).end();
  json(res, 404, { error: "no route" });
}
/** The flow against `/m/MODE`, with `read` asking what `readExpect` adds. */
function flow(name: string, mode: string, options: { timeout?: string; read?: string } = {}): string {
  const base = `${api.url}/m/${mode}`;
  return `  - name: ${name}
    timeout: ${options.timeout ?? "5s"}
    steps:
      - name: login
        http:
          url: ${base}/login
          method: POST
          headers: { content-type: application/json }
          body: '{"user":"probe","password":"\${env:WATCHPOST_FLOW_PASSWORD}"}'
          expect: { status: [200] }
        extract:
          token: { json: $.token }
      - name: create
        http:
          url: ${base}/orders
          method: POST
          headers: { authorization: "Bearer \${var:token}" }
          expect: { status: [201], json: [{ path: $.id, exists: true }] }
        extract:
          id: { json: $.id }
          etag: { header: etag }
      - name: read
${options.read ?? ""}        http:
          url: ${base}/orders/\${var:id}
          headers: { authorization: "Bearer \${var:token}", if-match: "\${var:etag}" }
          expect: { json: [{ path: $.state, equals: open }], headers: { x-order-state: { equals: open } } }
      - name: cleanup
        always: true
        http:
          url: ${base}/orders/\${var:id}
          method: DELETE
          headers: { authorization: "Bearer \${var:token}" }
`;
}

beforeAll(async () => {
  process.env.WATCHPOST_FLOW_PASSWORD = PASSWORD;
  api = await httpTarget((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => handle(req, res, body));
  });
  const collect = (into: (body: Buffer) => void, status: number) =>
    httpTarget((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        into(Buffer.concat(chunks));
        res.writeHead(status).end();
      });
    });
  const hook = await collect((body) => webhook.push(body.toString("utf8")), 204);
  const prometheus = await collect((body) => remoteWrite.push(body), 204);
  servers.push(api, hook, prometheus);
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-flow-"));
  await writeFile(
    path.join(dir, "flows.yml"),
    `defaults:
  retries: 0
  alert: { failAfter: 1, confirmAfter: false }
checks:
${flow("healthy", "healthy")}${flow("read-fails", "read-fails")}${flow("no-token", "no-token")}${flow("wrong-header", "read-closed")}${flow("step-timeout", "read-hangs", { read: "        timeout: 300ms\n" })}${flow("flow-timeout", "read-hangs", { timeout: "1s" })}`,
  );
  results = [];
  for (const asJson of [false, true]) {
    const stdout = stream();
    const stderr = stream();
    const code = await main(
      [
        "run",
        "--checks",
        dir,
        "--state",
        path.join(dir, "state.json"),
        ...(asJson ? ["--json"] : []),
        "--webhook",
        `${hook.url}/hook`,
        "--remote-write",
        `${prometheus.url}/api/v1/write`,
      ],
      { stdout, stderr },
    );
    expect(code).toBe(1);
    outputs.push(stdout.text(), stderr.text());
    if (asJson) results = JSON.parse(stdout.text()) as CheckResult[];
  }
  outputs.push(await readFile(path.join(dir, "state.json"), "utf8"));
  // The status page, from the history the runs left beside the state file.
  const out = path.join(dir, "page");
  const stdout = stream();
  const stderr = stream();
  expect(
    await main(["status", "--checks", dir, "--state", path.join(dir, "state.json"), "--out", out], {
      stdout,
      stderr,
    }),
  ).toBe(0);
  page = await readFile(path.join(out, "index.html"), "utf8");
  pageData = await readFile(path.join(out, "status.json"), "utf8");
  outputs.push(page, pageData);
}, 60_000);

let page = "";
let pageData = "";

let results: CheckResult[] = [];
const outputs: string[] = [];

afterAll(async () => {
  delete process.env.WATCHPOST_FLOW_PASSWORD;
  await Promise.all(servers.map((s) => s.close()));
});

function result(name: string): CheckResult {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

describe("a steps check through watchpost run", () => {
  it("is up when every step passes, each step with its phases, and cleans up", () => {
    const healthy = result("healthy");
    expect(healthy.status).toBe("up");
    expect(healthy.reason).toBe("4 steps passed");
    expect(healthy.steps?.map((s) => [s.name, s.status, s.reason])).toEqual([
      ["login", "up", "200 OK"],
      ["create", "up", "201 Created"],
      ["read", "up", "200 OK"],
      ["cleanup", "up", "204 No Content"],
    ]);
    for (const step of healthy.steps ?? []) {
      expect(step.durationMs).toBeGreaterThan(0);
      expect(step.phases?.connect).toBeGreaterThanOrEqual(0);
    }
    // The target is the step's as written: the variable's name, never its value.
    expect(healthy.steps?.[2]?.target).toBe(`${api.url}/m/healthy/orders/\${var:id}`);
    expect(seen.filter((r) => r.line.startsWith("DELETE /m/healthy/orders/")).length).toBe(2);
  });

  it("is down naming a failed middle step, and the always cleanup still ran", () => {
    const failed = result("read-fails");
    expect(failed.status).toBe("down");
    // Every expectation the step missed, each naming it, the status first.
    expect(failed.reason).toBe(
      'step "read": status 500, expected 2xx; step "read": header x-order-state is missing, expected "open"; step "read": $.state is missing, expected "open"',
    );
    expect(failed.steps?.map((s) => s.status)).toEqual(["up", "up", "down", "up"]);
    // The server saw the DELETE, with the token of the same run's login.
    const deletes = seen.filter((r) => r.line.startsWith("DELETE /m/read-fails/orders/"));
    expect(deletes.length).toBe(2);
    for (const d of deletes) expect(tokens.has(d.auth?.replace("Bearer ", "") ?? "")).toBe(true);
  });

  it("says which JSON path was missing, and skips what needed it", () => {
    const failed = result("no-token");
    expect(failed.status).toBe("down");
    expect(failed.reason).toBe('step "login": $.token not found in the JSON body');
    expect(failed.steps?.map((s) => [s.status, s.reason])).toEqual([
      ["down", "$.token not found in the JSON body"],
      ["skipped", 'not run: step "login" failed'],
      ["skipped", 'not run: step "login" failed'],
      ["skipped", 'not run: ${var:id} was not extracted (step "login" failed)'],
    ]);
    expect(seen.some((r) => r.line.startsWith("POST /m/no-token/orders"))).toBe(false);
  });

  it("says which header did not match", () => {
    const failed = result("wrong-header");
    expect(failed.status).toBe("down");
    expect(failed.reason).toBe('step "read": header x-order-state is "closed", expected "open"');
  });

  it("tells a step's own timeout from the flow's", () => {
    const step = result("step-timeout");
    expect(step.status).toBe("down");
    expect(step.reason).toBe(
      `step "read": timed out after 300ms while waiting for response headers from 127.0.0.1:${api.port}`,
    );
    expect(step.steps?.map((s) => s.status)).toEqual(["up", "up", "down", "up"]);
    const whole = result("flow-timeout");
    expect(whole.status).toBe("down");
    expect(whole.reason).toBe(
      `flow timed out after 1s in step "read" while waiting for response headers from 127.0.0.1:${api.port}`,
    );
    expect(whole.steps?.map((s) => [s.name, s.status, s.reason])).toEqual([
      ["login", "up", "200 OK"],
      ["create", "up", "201 Created"],
      [
        "read",
        "down",
        `cut by the flow's timeout while waiting for response headers from 127.0.0.1:${api.port}`,
      ],
      ["cleanup", "skipped", "not run: the flow's timeout passed"],
    ]);
  });

  it("shows each step under its check: in the table, in --json and on the status page", () => {
    const table = outputs[0] as string;
    expect(table).toMatch(/^healthy +UP +\d+ms +4 steps passed$/m);
    expect(table).toMatch(/^ {2}login +UP +\d+ms +200 OK$/m);
    expect(table).toMatch(/^ {2}read +DOWN +\d+ms +status 500, expected 2xx/m);
    expect(table).toMatch(
      /^ {2}cleanup +SKIPPED +not run: \$\{var:id\} was not extracted \(step "login" failed\)$/m,
    );
    expect(result("healthy").steps?.[0]).toMatchObject({ name: "login", kind: "http", status: "up" });
    const shown = (
      JSON.parse(pageData) as { groups: { checks: { name: string; steps?: unknown }[] }[] }
    ).groups
      .flatMap((g) => g.checks)
      .find((c) => c.name === "read-fails");
    expect(shown?.steps).toEqual([
      { name: "login", status: "up", reason: "200 OK" },
      { name: "create", status: "up", reason: "201 Created" },
      { name: "read", status: "down", reason: expect.stringMatching(/^status 500, expected 2xx/) },
      { name: "cleanup", status: "up", reason: "204 No Content" },
    ]);
    expect(page).toContain(
      '<li class="step" data-step="read" data-status="down"><span class="status down">down</span> <strong>read</strong>',
    );
    // Text a target wrote is escaped where it is rendered.
    expect(page).toContain("header x-order-state is &quot;closed&quot;, expected &quot;open&quot;");
  });

  it("lets no token or id the API issued reach any output, file or request but the API's", () => {
    const series = remoteWrite.flatMap((body) => decodeWriteRequest(body).map((s) => JSON.stringify(s)));
    expect(series.length).toBeGreaterThan(0);
    expect(webhook.some((body) => body.includes('"type":"FIRING"'))).toBe(true);
    const everything = [...outputs, ...webhook, ...series].join("\n");
    // The outputs do carry the flows: the table's reasons and the JSON's steps.
    expect(everything).toContain('step "read": status 500, expected 2xx');
    expect(everything).toContain("/orders/${var:id}");
    expect(issued.length).toBeGreaterThan(10);
    for (const value of [...issued, PASSWORD]) expect(everything).not.toContain(value);
  });
});

describe("a steps check's retries", () => {
  it("re-run the whole flow from its first step, and the second attempt's verdict counts", async () => {
    const lines: string[] = [];
    let reads = 0;
    const flaky = await httpTarget((req, res) => {
      lines.push(`${req.method} ${req.url}`);
      if (req.url === "/login") return json(res, 200, { token: randomBytes(8).toString("hex") });
      // The first read fails; the retry's succeeds.
      if (req.url === "/read") return json(res, reads++ === 0 ? 503 : 200, {});
      res.writeHead(204).end();
    });
    try {
      const [ran] = await runChecks([
        check({
          retries: 1,
          steps: [
            { name: "login", http: { url: `${flaky.url}/login` }, extract: { token: { json: "$.token" } } },
            {
              name: "read",
              http: { url: `${flaky.url}/read`, headers: { authorization: "Bearer ${var:token}" } },
            },
            { name: "cleanup", always: true, http: { url: `${flaky.url}/cleanup` } },
          ],
        }),
      ]);
      expect(ran?.status).toBe("up");
      expect(ran?.attempts).toBe(2);
      expect(lines).toEqual([
        "GET /login",
        "GET /read",
        "GET /cleanup",
        "GET /login",
        "GET /read",
        "GET /cleanup",
      ]);
    } finally {
      await flaky.close();
    }
  });
});
