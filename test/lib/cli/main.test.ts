import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../../lib/alerting/simulation.js";
import { main } from "../../../lib/cli/main.js";
import { formatTable } from "../../../lib/cli/output.js";
import { Progress } from "../../../lib/cli/progress.js";
import type { CheckResult } from "../../../lib/result.js";
import { stream } from "../../support/cli.js";
import { decodeWriteRequest } from "../../support/remote-write.js";
import { closedPort, httpTarget, routes, type Target, webhookReceiver } from "../../support/servers.js";

const fixtures = path.join(import.meta.dirname, "../../fixtures");

let states = 0;

/** Runs the CLI; `run` gets a state file of its own unless the test names one. */
async function cli(...args: string[]) {
  if (args[0] === "run" && !args.includes("--state"))
    args.push("--state", path.join(dir, `state-${++states}.json`));
  const stdout = stream();
  const stderr = stream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let web: Target;
let dir: string;

beforeAll(async () => {
  web = await httpTarget(routes);
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-cli-"));
  await writeFile(
    path.join(dir, "checks.yml"),
    `checks:
  - name: healthy
    http: { url: "${web.url}/ok" }
  - name: slow
    http: { url: "${web.url}/slow-headers?ms=120", expect: { latency: { degraded: 50ms } } }
  - name: broken
    http: { url: "${web.url}/fail" }
`,
  );
});

afterAll(() => web.close());

describe("watchpost run", () => {
  it("prints a table without colour when not on a terminal, and exits 1 when a check is down", async () => {
    const { code, stdout, stderr } = await cli("run", "--checks", dir);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(stdout).not.toContain("\x1b[");
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+LATENCY\s+REASON$/);
    expect(lines[1]).toMatch(/^healthy\s+UP\s+\d+ms\s+200 OK$/);
    expect(lines[2]).toMatch(/^slow\s+DEGRADED\s+\d+ms\s+took \d+ms, expected at most 50ms to be up$/);
    expect(lines[3]).toMatch(/^broken\s+DOWN\s+\d+ms\s+status 503, expected 2xx \(4 of 4 attempts failed\)$/);
    expect(lines.at(-1)).toMatch(/^3 checks: 1 up, 1 degraded, 1 down in (\d+ms|\d+\.\d+s)$/);
  });

  it("exits 0 when everything is up or degraded, and --only picks checks", async () => {
    const { code, stdout } = await cli("run", "--checks", dir, "--only", "healthy,slow");
    expect(code).toBe(0);
    expect(stdout).toMatch(/2 checks: 1 up, 1 degraded/);
  });

  it("prints a JSON array with --json", async () => {
    const { code, stdout } = await cli("run", "--checks", dir, "--json", "--only", "broken");
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as CheckResult[];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      name: "broken",
      kind: "http",
      status: "down",
      reason: "status 503, expected 2xx (4 of 4 attempts failed)",
      attempts: 4,
      target: `${web.url}/fail`,
      facts: { httpStatus: 503 },
      conditions: [{ ok: false, effect: "fail", text: "status 503, expected 2xx" }],
    });
    expect(Object.keys(results[0]?.phases ?? {})).toEqual([
      "resolve",
      "connect",
      "tls",
      "processing",
      "transfer",
    ]);
  });

  it("exits 2 with every problem for invalid files, and never runs them", async () => {
    const { code, stdout, stderr } = await cli("run", "--checks", path.join(fixtures, "broken"));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/11 problems in 10 files\n$/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("exits 2 for usage errors, with a suggestion", async () => {
    expect(await cli("rnu")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "rnu"; did you mean "run"?'),
    });
    expect(await cli("run", "--checks", dir, "--only", "helthy")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--only names no check "helthy"; did you mean "healthy"?'),
    });
    // Options in Watchpost's words: a typo gets a suggestion, another command's option says whose it is.
    expect(await cli("run", "--jsn")).toMatchObject({
      code: 2,
      stderr:
        "watchpost: watchpost run has no option --jsn; did you mean --json?\nRun 'watchpost run --help' for usage.\n",
    });
    expect((await cli("validate", "--watch")).stderr).toContain(
      "watchpost: --watch is an option of watchpost run, not of watchpost validate",
    );
    expect((await cli("run", "--checks")).stderr).toContain("watchpost: --checks expects a value (PATH)");
    expect(await cli("run", "--concurrency", "0")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--concurrency expects a whole number of at least 1, found "0"'),
    });
    expect(await cli()).toMatchObject({ code: 2, stderr: expect.stringContaining("Usage: watchpost") });
  });

  it("has help per command with every option, its default and an example; --version", async () => {
    const help = await cli("run", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: watchpost run \[options\]\n/);
    expect(help.stdout).toMatch(
      /--state FILE\s+Alert state between runs\. Default: \.watchpost\/state\.json/,
    );
    expect(help.stdout).toMatch(/--channels FILE\s+Slack, PagerDuty, Teams/);
    expect(help.stdout).toContain("watchpost run --watch --channels channels.yml");
    expect(help.stdout).toContain("130: interrupted (Ctrl-C)");
    expect((await cli("help", "validate")).stdout).toMatch(/--deploy\s+Treat deploy rules as errors/);
    expect((await cli("cost", "--help")).stdout).not.toMatch(/^ +--watch/m);
    expect((await cli("--help")).stdout).toMatch(/Commands:\n {2}init\s+Write a starter checks\/ folder/);
    expect((await cli("--version")).stdout).toMatch(/^watchpost \d+\.\d+\.\d+/);
  });

  it("keeps running with --watch until stopped, then exits 130", async () => {
    const stop = new AbortController();
    const stdout = stream();
    let lines = 0;
    (stdout as unknown as PassThrough).on("data", (chunk: Buffer) => {
      lines += chunk.toString().split("\n").filter(Boolean).length;
      if (lines >= 1) stop.abort();
    });
    const code = await main(
      [
        "run",
        "--checks",
        dir,
        "--watch",
        "--json",
        "--only",
        "healthy",
        "--state",
        path.join(dir, "watch.json"),
      ],
      {
        stdout,
        stderr: stream(),
        stopSignal: stop.signal,
      },
    );
    // Stopped (Ctrl-C): 130, as a shell expects of an interrupted command.
    expect(code).toBe(130);
    expect(JSON.parse(stdout.text().split("\n")[0] as string)).toMatchObject({
      name: "healthy",
      status: "up",
    });
  });
});

describe("watchpost run with metrics sinks", () => {
  it("prints one line per sink, and exits 3 when a sink could not deliver while every check is up", async () => {
    const refusing = await httpTarget((_req, res) => res.writeHead(400).end("bad data"));
    try {
      const { code, stdout, stderr } = await cli(
        "run",
        "--checks",
        dir,
        "--only",
        "healthy",
        "--remote-write",
        `${refusing.url}/api/v1/write`,
        "--remote-write-header",
        "X-Scope-OrgID=team-a",
      );
      expect(code).toBe(3);
      expect(stdout).toMatch(
        /\nremote-write http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: FAILED, 23 of 23 samples not delivered \(1 request, 0 retries, \d+ms\): 400 from 127\.0\.0\.1:\d+: bad data \(not retried\)\n$/,
      );
      expect(stderr).toMatch(/remote-write .* rejected the samples: 400 bad data/);
    } finally {
      await refusing.close();
    }
  });

  it("keeps stdout JSON-only with --json: sink lines go to stderr", async () => {
    const accepting = await httpTarget((_req, res) => res.writeHead(204).end());
    try {
      const { code, stdout, stderr } = await cli(
        "run",
        "--checks",
        dir,
        "--only",
        "healthy",
        "--json",
        "--remote-write",
        accepting.url,
      );
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toHaveLength(1);
      expect(stderr).toMatch(
        /^remote-write http:\/\/127\.0\.0\.1:\d+\/: 23 samples sent in 1 request, 0 retries/,
      );
    } finally {
      await accepting.close();
    }
  });

  it("labels series with --job and --instance, as a blackbox setup's relabelling did", async () => {
    const bodies: Buffer[] = [];
    const receiving = await httpTarget((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(204).end();
      });
    });
    try {
      const args = ["run", "--checks", dir, "--only", "healthy", "--remote-write", receiving.url];
      expect((await cli(...args, "--job", "blackbox", "--instance", "check")).code).toBe(0);
      const labels = decodeWriteRequest(bodies[0] as Buffer).map((s) => Object.fromEntries(s.labels));
      expect(labels.find((l) => l.__name__ === "probe_success")).toMatchObject({
        job: "blackbox",
        instance: "healthy",
      });
      expect(await cli(...args, "--instance", "host")).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--instance: expected target or check, found "host"'),
      });
      expect(await cli("run", "--checks", dir, "--job", "blackbox")).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("--job needs --remote-write URL"),
      });
    } finally {
      await receiving.close();
    }
  });

  it("rejects sink flags that do not fit, before running anything", async () => {
    expect(await cli("run", "--checks", dir, "--remote-write-header", "A=b")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--remote-write-header needs --remote-write URL"),
    });
    expect(
      await cli(
        "run",
        "--checks",
        dir,
        "--remote-write",
        "http://127.0.0.1:1/w",
        "--remote-write-header",
        "novalue",
      ),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--remote-write-header expects NAME=VALUE, found "novalue"'),
    });
    expect(
      await cli(
        "run",
        "--checks",
        dir,
        "--remote-write",
        "http://127.0.0.1:1/w",
        "--remote-write-header",
        "Content-Type=x",
      ),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("remote-write header Content-Type is set by Watchpost"),
    });
    expect(
      await cli(
        "run",
        "--checks",
        dir,
        "--remote-write",
        "http://127.0.0.1:1/w",
        "--remote-write-bearer-token-file",
        "/nope",
      ),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--remote-write-bearer-token-file /nope: cannot read it (ENOENT)"),
    });
    expect(await cli("run", "--checks", dir, "--cloudwatch-namespace", "X")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--cloudwatch-namespace needs --cloudwatch"),
    });
  });

  it("sends a bearer token read from a file", async () => {
    let authorization: string | undefined;
    const accepting = await httpTarget((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(204).end();
    });
    const tokenFile = path.join(dir, "token.txt");
    await writeFile(tokenFile, "s3cret\n");
    try {
      const { code } = await cli(
        "run",
        "--checks",
        path.join(dir, "checks.yml"),
        "--only",
        "healthy",
        "--remote-write",
        accepting.url,
        "--remote-write-bearer-token-file",
        tokenFile,
      );
      expect(code).toBe(0);
      expect(authorization).toBe("Bearer s3cret");
    } finally {
      await accepting.close();
    }
  });
});

describe("watchpost run with alerting", () => {
  it("recovers silently from one failure, fires once for three, resolves once (seen through --webhook)", async () => {
    let healthy = true;
    const service = await httpTarget((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    const { hook, received } = await webhookReceiver();
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-alerts-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: payments-api\n    alert: { failAfter: 2 }\n    http: { url: "${service.url}/health" }\n`,
    );
    const state = path.join(folder, "state.json");
    const runs: string[] = [];
    try {
      for (const up of [true, false, true, false, false, false, true, true]) {
        healthy = up;
        const { stdout } = await cli(
          "run",
          "--checks",
          folder,
          "--state",
          state,
          "--webhook",
          `${hook.url}/hook`,
        );
        runs.push(stdout.split("\n").find((line) => line.startsWith("alerts via")) ?? "-");
      }
      expect(received.map((n) => `${n.type} ${n.transitions[0]?.check}`)).toEqual([
        "FIRING payments-api",
        "RESOLVED payments-api",
      ]);
      expect(received[0]?.subject).toBe(
        "[CRITICAL] payments-api is DOWN: status 503, expected 2xx (4 of 4 attempts failed)",
      );
      expect(runs).toEqual([
        "-",
        "-",
        "-",
        "-",
        expect.stringMatching(
          /^alerts via webhook http:\/\/127\.0\.0\.1:\d+: 1 delivered, 0 to retry on the next run$/,
        ),
        "-",
        expect.stringMatching(/: 1 delivered, 0 to retry/),
        "-",
      ]);
    } finally {
      await Promise.all([service.close(), hook.close()]);
    }
  });

  it("prints transitions without --webhook, and keeps a failed webhook delivery for the next run", async () => {
    let accepting = false;
    const hook = await httpTarget((_req, res) => res.writeHead(accepting ? 204 : 503).end("busy"));
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-alerts-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: db\n    retries: 0\n    alert: { failAfter: 1 }\n    tcp: { host: 127.0.0.1, port: ${await closedPort()} }\n`,
    );
    try {
      const printed = await cli("run", "--checks", folder, "--state", path.join(folder, "printed.json"));
      expect(printed.stdout).toMatch(
        /\nFIRING {3}\[CRITICAL\] db is DOWN: connection refused by 127\.0\.0\.1:\d+\n$/,
      );
      const state = path.join(folder, "hooked.json");
      const failed = await cli("run", "--checks", folder, "--state", state, "--webhook", hook.url);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/alerts via webhook .*: 0 delivered, 1 to retry on the next run\n/);
      expect(failed.stdout).toMatch(
        /alerts: \[CRITICAL\] db is DOWN: .*: webhook http:\/\/127\.0\.0\.1:\d+: 503: busy\n/,
      );
      accepting = true;
      const retried = await cli("run", "--checks", folder, "--state", state, "--webhook", hook.url);
      expect(retried.stdout).toMatch(/alerts via webhook .*: 1 delivered, 0 to retry on the next run\n/);
    } finally {
      await hook.close();
    }
  });
});

describe("watchpost validate, schema, demo", () => {
  it("validate reports every broken file with its line and exits 2", async () => {
    const { code, stderr } = await cli("validate", "--checks", path.join(fixtures, "broken"));
    expect(code).toBe(2);
    for (let i = 1; i <= 10; i++) {
      expect(stderr).toMatch(new RegExp(`broken/${String(i).padStart(2, "0")}-[a-z-]+\\.yml:\\d+:\\d+: `));
    }
  });

  it("validate accepts the backup, heartbeat and protocol examples", async () => {
    const { code, stdout } = await cli(
      "validate",
      "--checks",
      path.join(import.meta.dirname, "../../../examples"),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("12 checks in 3 files: valid\n");
  });

  it("validate accepts the shipped examples", async () => {
    const { code, stdout } = await cli(
      "validate",
      "--checks",
      path.join(import.meta.dirname, "../../../checks"),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+ checks in 2 files: valid\n$/);
  });

  it("schema prints or writes the JSON Schema", async () => {
    const printed = await cli("schema");
    expect(JSON.parse(printed.stdout).title).toBe("Watchpost check file");
    const out = path.join(dir, "schema.json");
    await cli("schema", "--out", out);
    expect(await readFile(out, "utf8")).toBe(printed.stdout);
  });

  it("demo shows up, degraded and down with no network", async () => {
    const { code, stdout } = await cli("demo", "--json");
    expect(code).toBe(0);
    const statuses = Object.fromEntries((JSON.parse(stdout) as CheckResult[]).map((r) => [r.name, r.status]));
    expect(statuses).toEqual({
      "demo-api": "up",
      "demo-slow-api": "degraded",
      "demo-broken-api": "down",
      "demo-hanging-api": "down",
      "demo-smtp-banner": "up",
      "demo-closed-port": "down",
    });
  });
});

describe("pages people trust (watchpost run with a real target and a local webhook)", () => {
  const webhook = webhookReceiver;

  // 100 runs of the real CLI take about 20 s alone: a busy machine gets room, not a false failure.
  it("gives no page for a target failing 10 % of requests at random over 100 runs; a real outage still fires", async () => {
    const random = seededRandom(12);
    let outage = false;
    let failed = 0;
    const service = await httpTarget((_req, res) => {
      const fail = outage || random() < 0.1;
      if (fail) failed++;
      res.writeHead(fail ? 500 : 200).end();
    });
    const { hook, received } = await webhook();
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-flaky-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: checkout\n    http: { url: "${service.url}/health" }\n`,
    );
    const args = [
      "run",
      "--checks",
      folder,
      "--state",
      path.join(folder, "state.json"),
      "--webhook",
      hook.url,
    ];
    try {
      let retried = 0;
      for (let run = 0; run < 100; run++) {
        const { code, stdout } = await cli(...args);
        expect(code, stdout).toBe(0);
        if (stdout.includes("(1 of 2 attempts failed)")) retried++;
      }
      // The target did fail, about one request in ten, and the retries show it without paging.
      expect(failed).toBeGreaterThan(5);
      expect(retried).toBeGreaterThan(5);
      expect(received).toEqual([]);

      outage = true;
      const first = await cli(...args);
      expect(first.stdout).toContain("status 500, expected 2xx (4 of 4 attempts failed)");
      expect(received).toEqual([]);
      await cli(...args);
      expect(received.map((n) => n.subject)).toEqual([
        "[CRITICAL] checkout is DOWN: status 500, expected 2xx (4 of 4 attempts failed)",
      ]);
    } finally {
      await Promise.all([service.close(), hook.close()]);
    }
  }, 120_000);

  it("under --watch, confirms a failure in the same run instead of waiting an interval", async () => {
    const service = await httpTarget((_req, res) => res.writeHead(503).end());
    const stop = new AbortController();
    // Stopped once the page arrived (and the delivery was recorded): the next run is an hour away.
    const { hook, received } = await webhook(() => setTimeout(() => stop.abort(), 300));
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-confirm-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: payments\n    interval: 1h\n    retries: 0\n    alert: { confirmAfter: 1s }\n    http: { url: "${service.url}/health" }\n`,
    );
    const stdout = stream();
    try {
      const code = await main(
        [
          "run",
          "--checks",
          folder,
          "--watch",
          "--json",
          "--state",
          path.join(folder, "state.json"),
          "--webhook",
          hook.url,
        ],
        { stdout, stderr: stream(), stopSignal: stop.signal },
      );
      expect(code).toBe(130);
      const lines = stdout
        .text()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as CheckResult & { confirmation?: boolean });
      expect(lines.map((r) => [r.name, r.status, r.confirmation ?? false])).toEqual([
        ["payments", "down", false],
        ["payments", "down", true],
      ]);
      // Within the hour's first run, not the next one.
      expect(received.map((n) => n.type)).toEqual(["FIRING"]);
    } finally {
      await Promise.all([service.close(), hook.close()]);
    }
  });
});

describe("environment problems", () => {
  it("answers a corrupt or unreachable state file and an unwritable --out in words, exit 2, no stack trace", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-env-"));
    await writeFile(path.join(folder, "corrupt.json"), "{not json");
    await writeFile(path.join(folder, "a-file"), "x");
    const corrupt = await cli(
      "run",
      "--checks",
      dir,
      "--only",
      "healthy",
      "--state",
      path.join(folder, "corrupt.json"),
    );
    expect(corrupt).toMatchObject({ code: 2, stdout: "" });
    expect(corrupt.stderr).toMatch(
      /^watchpost: cannot use the state file .*corrupt\.json: it is not a Watchpost state file \(.*\); move it away to start afresh; or name another with --state FILE\n$/,
    );
    const underFile = await cli("run", "--checks", dir, "--state", path.join(folder, "a-file", "state.json"));
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toMatch(
      /^watchpost: cannot use the state file .*a-file\/state\.json: part of the path is a file, not a folder \(ENOTDIR\); name a path under a folder\n$/,
    );
    const out = await cli("schema", "--out", path.join(folder, "missing", "schema.json"));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /^watchpost: cannot write .*missing\/schema\.json: no such file or folder \(ENOENT\); create the folder first, or name another path\n$/,
    );
    for (const r of [corrupt, underFile, out]) expect(r.stderr).not.toMatch(/\n\s+at /);
    // --debug adds the stack, for a bug report.
    const debug = await cli("schema", "--out", path.join(folder, "missing", "schema.json"), "--debug");
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe("init, plan and cost", () => {
  it("init writes a starter folder that validates and runs, and never overwrites", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-init-"));
    const first = await cli("init", folder);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*checks\/example\.yml\n\nNext:\n/);
    const text = await readFile(path.join(folder, "checks", "example.yml"), "utf8");
    expect(text).toMatch(/^# yaml-language-server: \$schema=.*schema\/checks\.schema\.json\n/);
    expect(await cli("validate", "--checks", path.join(folder, "checks"))).toMatchObject({
      code: 0,
      stdout: "3 checks in 1 file: valid\n",
    });
    const again = await cli("init", folder);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already holds check files");
  });

  it("plan shows shards, schedules, invocations, permissions and the monthly cost; --json too", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-plan-"));
    await writeFile(
      path.join(folder, "c.yml"),
      'checks:\n  - name: api\n    http: { url: "https://api.example.com/", headers: { authorization: "Bearer ${secret:prod/api-token}" } }\n  - name: cert\n    interval: 1h\n    tls: { host: api.example.com }\n',
    );
    const text = await cli("plan", "--checks", folder);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^2 checks in 2 shards/);
    expect(text.stdout).toMatch(/1m-0 +rate\(1m\) +1 check +43,200 invocations a month/);
    expect(text.stdout).toContain("secretsmanager:GetSecretValue on prod/api-token");
    // The hourly shard's samples are re-sent between its runs by one more schedule.
    expect(text.stdout).toMatch(
      /refresh +rate\(2m\) +the latest samples of 1h-0 again between runs +21,600 invocations a month/,
    );
    expect(text.stdout).toMatch(/CloudWatch per-check metrics: on, \d+ custom metrics, \$\d+\.\d\d a month/);
    expect(text.stdout).toContain("on by default, since CloudWatch is where results are read");
    // A deployment that remote-writes has them off unless asked; asked, either way.
    expect((await cli("plan", "--checks", folder, "--prometheus")).stdout).toContain(
      "CloudWatch per-check metrics: off; 2 custom metric(s) for the monitor's heartbeat: off by default, since results go to Prometheus",
    );
    expect((await cli("plan", "--checks", folder, "--prometheus", "--check-metrics", "on")).stdout).toMatch(
      /CloudWatch per-check metrics: on, \d+ custom metrics, .*: on, as asked/,
    );
    expect((await cli("plan", "--checks", folder, "--check-metrics", "off")).stdout).toContain(
      ": off, as asked",
    );
    expect(await cli("plan", "--checks", folder, "--check-metrics", "no")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--check-metrics expects on or off, found "no"'),
    });
    expect(text.stdout).toMatch(/estimated cost: \$\d+\.\d\d a month/);
    const placed = await cli("plan", "--checks", folder, "--locations", "eu-west-1,us-east-1,ap-southeast-2");
    expect(placed.stdout).toContain(
      "locations: eu-west-1 (home: keeps the alert state, decides on the quorum, notifies), us-east-1, ap-southeast-2",
    );
    expect(placed.stdout).toMatch(/1m-0 +rate\(1m\) +\d+ checks? +129,600 invocations a month/);
    const json = JSON.parse((await cli("plan", "--checks", folder, "--json")).stdout);
    expect(json.shards.map((s: { id: string }) => s.id)).toEqual(["1m-0", "1h-0"]);
    expect(json.refresh).toEqual({ schedule: "rate(2m)", shards: ["1h-0"], invocationsPerMonth: 21_600 });
    expect(json.permissions).toEqual([
      { check: "api", grants: ["secretsmanager:GetSecretValue on prod/api-token"] },
    ]);
    // What synth would refuse, plan refuses too.
    await writeFile(
      path.join(folder, "fast.yml"),
      "checks:\n  - name: fast\n    interval: 30s\n    tcp: { host: a, port: 1 }\n",
    );
    expect((await cli("plan", "--checks", folder)).code).toBe(2);
  });

  it("cost takes --latency in milliseconds as help says, and prints --json", async () => {
    const ms = await cli("cost", "--checks", path.join(fixtures, "valid"), "--latency", "500", "--json");
    expect(ms.code).toBe(0);
    const estimate = JSON.parse(ms.stdout);
    expect(estimate.usdPerMonth).toBeGreaterThan(0);
    const same = JSON.parse(
      (await cli("cost", "--checks", path.join(fixtures, "valid"), "--latency", "500ms", "--json")).stdout,
    );
    expect(same.usdPerMonth).toBe(estimate.usdPerMonth);
    expect((await cli("cost", "--latency", "soon")).stderr).toContain(
      '--latency expects a duration such as 300ms or 1.5s (or milliseconds: 500), found "soon"',
    );
  });
});

describe("results for people", () => {
  it("wraps long reasons under their column on a terminal, and keeps them whole in a pipe or with --wide", async () => {
    const long = "x".repeat(20);
    const rows = [
      {
        name: "api",
        kind: "http",
        target: "t",
        status: "down" as const,
        reason: `$.status is "degraded", expected "ok" and ${long} ${long} ${long} ${long}`,
        attempts: 1,
        startedAt: "",
        durationMs: 12,
        severity: "critical",
        labels: {},
        conditions: [],
      },
    ];
    const wrapped = formatTable(rows, false, 60).split("\n");
    expect(wrapped.length).toBeGreaterThan(2);
    for (const line of wrapped) expect(line.length).toBeLessThanOrEqual(60);
    const indent = wrapped[1]?.indexOf("$.status") as number;
    expect(wrapped[2]?.startsWith(" ".repeat(indent))).toBe(true);
    expect(wrapped.map((l) => l.trim()).join(" ")).toContain(rows[0]?.reason.split(" and ")[0]);
    expect(formatTable(rows, false).split("\n")).toHaveLength(2);
  });

  it("draws a progress line of done/total and what the slowest wait on", () => {
    let now = 0;
    const progress = new Progress(stream(), 3, () => now);
    progress.stage("api", "waiting for response headers from 10.0.0.1:443");
    now = 500;
    progress.stage("db", "connecting to 10.0.0.2:5432");
    progress.result({ name: "db" } as CheckResult);
    now = 8_200;
    expect(progress.line(200)).toBe(
      "1/3 done; waiting 8.20s on api (waiting for response headers from 10.0.0.1:443)",
    );
    expect(progress.line(20)).toHaveLength(20);
  });
});
