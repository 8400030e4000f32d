/**
 * A distinctive secret fed through every field that takes a reference and every URL the CLI takes;
 * then every output channel is searched for it: stdout and stderr (table and --json), the state file,
 * the webhook's payloads and the remote-write bodies.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";
import { decodeWriteRequest } from "../../support/remote-write.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

const SECRET = "Zq9xDistinctiveS3cret77";
const servers: Target[] = [];
const received: string[] = [];
const written: Buffer[] = [];

let dir: string;
let web: Target;
let hook: Target;
let prometheus: Target;

beforeAll(async () => {
  process.env.WATCHPOST_TEST_SECRET = SECRET;
  web = await httpTarget((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    // A redirect loop that keeps the query, as a real one would.
    if (url.pathname.startsWith("/loop")) {
      const next = url.pathname.endsWith("-a") ? "/loop-b" : "/loop-a";
      return void res.writeHead(302, { location: `${next}${url.search}` }).end();
    }
    if (url.pathname === "/reflect")
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ key: req.headers["x-api-key"], auth: req.headers.authorization }));
    return routes(req, res);
  });
  const collect = (status: number) =>
    httpTarget((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (status >= 400) written.push(Buffer.concat(chunks));
        else received.push(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(status).end(status >= 400 ? "bad data" : "");
      });
    });
  hook = await collect(204);
  prometheus = await collect(400);
  servers.push(web, hook, prometheus);
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-secrets-"));
  const ref = "${env:WATCHPOST_TEST_SECRET}";
  await writeFile(
    path.join(dir, "checks.yml"),
    `defaults:
  alert: { failAfter: 1 }
checks:
  - name: loop
    http: { url: "http://ops:${ref}@127.0.0.1:${web.port}/loop-a/${ref}?token=${ref}" }
  - name: reflected
    http:
      url: "${web.url}/reflect"
      headers: { X-Api-Key: "${ref}" }
      body: "${ref}"
      expect: { json: [{ path: $.key, equals: "something else" }] }
  - name: in-path
    http: { url: "${web.url}/fail/${ref}" }
`,
  );
});

afterAll(async () => {
  delete process.env.WATCHPOST_TEST_SECRET;
  await Promise.all(servers.map((s) => s.close()));
});

describe("no secret in any output", () => {
  it("never shows a resolved reference or a URL credential, on any channel", async () => {
    const state = path.join(dir, "state.json");
    const outputs: string[] = [];
    for (const json of [false, true]) {
      const stdout = stream();
      const stderr = stream();
      const code = await main(
        [
          "run",
          "--checks",
          dir,
          "--state",
          state,
          ...(json ? ["--json"] : []),
          "--webhook",
          `${hook.url}/hook?token=${SECRET}`,
          "--remote-write",
          `http://writer:${SECRET}@127.0.0.1:${prometheus.port}/api/v1/write?key=${SECRET}`,
        ],
        { stdout, stderr },
      );
      expect(code).toBe(1);
      outputs.push(stdout.text(), stderr.text());
    }
    outputs.push(await readFile(state, "utf8"));
    // Remote-write bodies, decoded: every label of every series.
    const series = written.flatMap((body) => decodeWriteRequest(body).map((s) => JSON.stringify(s.labels)));
    expect(series.length).toBeGreaterThan(0);
    const everything = [...outputs, ...received, ...series].join("\n");
    // The channels were all used: results, a FIRING through the webhook, a refused remote-write.
    expect(everything).toMatch(/redirect loop: http:\/\/127\.0\.0\.1:\d+\/loop-a\/\[redacted\]\?token=… → /);
    expect(everything).toMatch(
      /"target": "http:\/\/127\.0\.0\.1:\d+\/loop-a\/\$\{env:WATCHPOST_TEST_SECRET\}\?token=…"/,
    );
    expect(everything).toContain('$.key is "[redacted]", expected "something else"');
    expect(received.some((body) => body.includes('"type":"FIRING"'))).toBe(true);
    expect(everything).toMatch(/remote-write http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write\?key=…/);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET));
    expect(everything).not.toContain(Buffer.from(`ops:${SECRET}`).toString("base64"));
  });
});
