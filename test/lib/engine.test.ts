import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runChecks } from "../../lib/engine.js";
import { PROBES } from "../../lib/probes/index.js";
import { RETRY_PAUSE_MS } from "../../lib/retry.js";
import { UNTRUSTED_LIMIT } from "../../lib/text.js";
import { check } from "../support/checks.js";
import { ANY_CONTROL, HOSTILE, stringsIn } from "../support/hostile.js";
import { httpTarget, routes, type Target, tcpTarget } from "../support/servers.js";

let web: Target;
let inFlight = 0;
let peak = 0;

beforeAll(async () => {
  web = await httpTarget((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on("close", () => inFlight--);
    routes(req, res);
  });
});

afterAll(() => web.close());
afterEach(() => vi.restoreAllMocks());

const http = (name: string, route: string, timeout = "2s") =>
  check({ name, timeout, http: { url: `${web.url}${route}` } });

describe("engine", () => {
  it("returns one result per check, in the order given", async () => {
    const specs = [http("a", "/slow-headers?ms=80"), http("b", "/fail"), http("c", "/ok")];
    const results = await runChecks(specs);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["a", "up"],
      ["b", "down"],
      ["c", "up"],
    ]);
    for (const result of results) {
      expect(result.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(result.durationMs).toBeGreaterThan(0);
      expect(result.labels).toEqual({});
      expect(result.severity).toBe("critical");
    }
  });

  it("never has more checks in flight than the concurrency bound", async () => {
    peak = 0;
    const specs = Array.from({ length: 12 }, (_, i) => http(`c${i}`, "/slow-headers?ms=50"));
    const results = await runChecks(specs, { concurrency: 3 });
    expect(results.every((r) => r.status === "up")).toBe(true);
    expect(peak).toBe(3);
  });

  it("runs hanging checks side by side: the batch takes about one timeout, not the sum", async () => {
    const specs = [
      ...Array.from({ length: 6 }, (_, i) => http(`hang-${i}`, "/hang", "500ms")),
      ...Array.from({ length: 16 }, (_, i) => http(`ok-${i}`, "/ok", "500ms")),
    ];
    const started = performance.now();
    const results = await runChecks(specs);
    const elapsed = performance.now() - started;
    expect(results.filter((r) => r.status === "down").map((r) => r.reason)).toEqual(
      Array(6).fill(`timed out after 500ms while waiting for response headers from 127.0.0.1:${web.port}`),
    );
    // Sequentially this would be 6 × 500ms; concurrently it is one timeout plus overhead.
    expect(elapsed).toBeLessThan(1_500);
  });

  it("reports every check when the run's deadline passes, never dropping one", async () => {
    const specs = Array.from({ length: 4 }, (_, i) => http(`hang-${i}`, "/hang", "10s"));
    const results = await runChecks(specs, { concurrency: 2, deadline: Date.now() + 300 });
    expect(results).toHaveLength(4);
    for (const result of results.slice(0, 2)) {
      expect(result.status).toBe("skipped");
      expect(result.reason).toMatch(
        /^cut by the run's deadline \d+ms in, while waiting for response headers from 127\.0\.0\.1:\d+$/,
      );
    }
    expect(results.slice(2).map((r) => [r.status, r.reason])).toEqual(
      Array(2).fill([
        "skipped",
        "not started before the run's deadline (too many checks for the time available)",
      ]),
    );
  });

  it("isolates a probe that throws: that check is unknown, the others carry on", async () => {
    vi.spyOn(PROBES.tcp, "run").mockRejectedValueOnce(new TypeError("boom"));
    const results = await runChecks([
      check({ name: "broken", tcp: { host: "127.0.0.1", port: 1 } }),
      http("fine", "/ok"),
    ]);
    expect(results.map((r) => [r.name, r.status, r.reason])).toEqual([
      ["broken", "unknown", "probe failed unexpectedly: boom"],
      ["fine", "up", "200 OK"],
    ]);
  });

  it("is unknown, without asking the target, when the ca file disappeared after validation", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-ca-"));
    await writeFile(path.join(dir, "ca.pem"), "");
    const spec = check({ name: "gone", http: { url: `${web.url}/ok`, ca: "ca.pem" } }, dir);
    await rm(path.join(dir, "ca.pem"));
    const [result] = await runChecks([spec]);
    expect(result).toMatchObject({ status: "unknown", reason: "cannot read the ca file ca.pem (ENOENT)" });
  });

  it("retries a network failure after a short pause, and keeps what the failed attempt saw", async () => {
    let connections = 0;
    const flaky = await tcpTarget((socket) => {
      connections++;
      if (connections === 1) return void socket.destroy();
      socket.once("data", () =>
        socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"),
      );
    });
    try {
      const started = performance.now();
      const [result] = await runChecks([
        check({ name: "flaky", retries: 1, http: { url: `http://127.0.0.1:${flaky.port}/` } }),
      ]);
      expect(result).toMatchObject({ status: "up", attempts: 2 });
      expect(result?.reason).toMatch(/^connection closed by 127\.0\.0\.1:\d+ .* \(1 of 2 attempts failed\)$/);
      // The pause is jittered between 0.5 and 1.5 s; the result's duration is the passing attempt's.
      expect(performance.now() - started).toBeGreaterThanOrEqual(RETRY_PAUSE_MS.min);
      expect(result?.durationMs).toBeLessThan(performance.now() - started - RETRY_PAUSE_MS.min + 1);
    } finally {
      await flaky.close();
    }
  });

  it("retries any down answer: a 503 that passes on the retry is up, with the 503 in its reason", async () => {
    let requests = 0;
    const lb = await httpTarget((_req, res) => {
      requests++;
      res.writeHead(requests === 1 ? 503 : 200).end("ok");
    });
    try {
      const [result] = await runChecks([check({ name: "lb", retries: 1, http: { url: `${lb.url}/` } })]);
      expect(result).toMatchObject({
        status: "up",
        attempts: 2,
        reason: "status 503, expected 2xx (1 of 2 attempts failed)",
      });
    } finally {
      await lb.close();
    }
  });

  it("tries a quick failure 1 + retries times, and says how many attempts failed", async () => {
    const results = await runChecks([
      check({ name: "fail", retries: 3, http: { url: `${web.url}/fail` } }),
      check({ name: "once", retries: 0, http: { url: `${web.url}/fail` } }),
    ]);
    expect(results.map((r) => [r.status, r.attempts, r.reason])).toEqual([
      ["down", 4, "status 503, expected 2xx (4 of 4 attempts failed)"],
      ["down", 1, "status 503, expected 2xx"],
    ]);
  });

  it("retries a hang once, though 3 retries are allowed: a run stays within 2 × timeout and one pause", async () => {
    const [result] = await runChecks([
      // With a timeout of 1 s or more, two hangs and two pauses (at least 0.5 s each) leave no room
      // for a third in 2 × timeout + 1.5 s, whatever the jitter draws.
      check({ name: "hang", retries: 3, timeout: "1s", http: { url: `${web.url}/hang` } }),
    ]);
    expect(result?.attempts).toBe(2);
    expect(result?.reason).toMatch(
      /^timed out after 1s while waiting for response headers from .* \(2 of 2 attempts failed\)$/,
    );
  });

  it("does not retry what is not a flake: unknown (cannot evaluate) and degraded (answered, slowly)", async () => {
    const results = await runChecks([
      check({ name: "setup", retries: 3, http: { url: "${env:WATCHPOST_TEST_UNSET_VARIABLE}" } }),
      check({
        name: "slow",
        retries: 3,
        http: { url: `${web.url}/slow-headers?ms=60`, expect: { latency: { degraded: "10ms" } } },
      }),
    ]);
    expect(results.map((r) => [r.status, r.attempts])).toEqual([
      ["unknown", 1],
      ["degraded", 1],
    ]);
  });

  it("stops retrying when the run is stopped during the pause", async () => {
    const controller = new AbortController();
    const running = runChecks([check({ name: "fail", retries: 3, http: { url: `${web.url}/fail` } })], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const [result] = await running;
    expect(result).toMatchObject({ status: "down", attempts: 1 });
  });

  it("reports results as they finish", async () => {
    const seen: string[] = [];
    await runChecks([http("slow", "/slow-headers?ms=100"), http("fast", "/ok")], {
      onResult: (r) => seen.push(r.name),
    });
    expect(seen).toEqual(["fast", "slow"]);
  });

  it("passes resolved references to the probe and keeps them out of the result", async () => {
    const secret = check({ name: "sec", http: { url: "${secret:prod/url}" } });
    const [local] = await runChecks([secret]);
    expect(local?.status).toBe("unknown");
    expect(local?.reason).toBe(
      "${secret:prod/url} cannot be resolved here: secret references are resolved by the deployed monitor; use ${env:…} for local runs",
    );
    const [resolved] = await runChecks([secret], { resolvers: { secret: () => `${web.url}/ok` } });
    expect(resolved).toMatchObject({ status: "up", target: "${secret:prod/url}" });
    expect(JSON.stringify(resolved)).not.toContain(String(web.port));
  });
});

describe("event-loop delay", () => {
  it("measures a degraded verdict again when a blocked event loop explains it, and says so", async () => {
    let requests = 0;
    // The first answer blocks this process's event loop for 800 ms (as a burst of TLS handshakes
    // would): the probe's timestamps run that late, though the target itself was instant.
    const target = await httpTarget((_req, res) => {
      if (requests++ === 0) {
        const until = performance.now() + 800;
        while (performance.now() < until) {
          // busy
        }
      }
      res.writeHead(200).end("ok");
    });
    try {
      const [result] = await runChecks([
        // One retry allowed: the re-measure must fit the run's budget (lib/retry.ts) like a retry.
        check({
          timeout: "5s",
          retries: 1,
          http: { url: `${target.url}/`, expect: { latency: { degraded: "300ms" } } },
        }),
      ]);
      expect(result?.status, `${result?.reason} (delay ${result?.loopDelayMs})`).toBe("up");
      expect(result?.attempts).toBe(2);
      expect(result?.reason).toMatch(
        / \(measured again: the first measurement ran \d+ms late on a busy event loop\)$/,
      );
      expect(requests).toBe(2);
    } finally {
      await target.close();
    }
  });

  it("keeps a degraded verdict the loop cannot explain: a target that is slow", async () => {
    const target = await httpTarget((_req, res) => {
      setTimeout(() => res.writeHead(200).end("ok"), 600);
    });
    try {
      const [result] = await runChecks([
        check({
          timeout: "5s",
          retries: 1,
          http: { url: `${target.url}/`, expect: { latency: { degraded: "200ms" } } },
        }),
      ]);
      expect(result?.status).toBe("degraded");
      expect(result?.attempts).toBe(1);
      expect(result?.loopDelayMs).toBeLessThan(400);
    } finally {
      await target.close();
    }
  });
});

describe("untrusted text", () => {
  it("makes what a target wrote safe once: reasons, conditions and facts carry no control character", async () => {
    const json = await httpTarget((_req, res) => res.writeHead(200).end(`\x1b[2J${HOSTILE}`));
    const banner = await tcpTarget((socket) => socket.end(HOSTILE));
    try {
      const [body, tcp] = await runChecks([
        check({
          name: "body",
          http: { url: `${json.url}/`, expect: { json: [{ path: "$.a", equals: 1 }] } },
        }),
        check({ name: "banner", tcp: { host: "127.0.0.1", port: banner.port, expect: "^never" } }),
      ]);
      // V8's JSON.parse error quotes the body in the reason; the tcp probe keeps the banner as a fact.
      expect(body?.status).toBe("down");
      expect(body?.reason).toContain("\\x1b[2J");
      expect(tcp?.facts?.banner).toContain("\\x1b[2J");
      expect(tcp?.facts?.banner).toContain("\\r\\nCHECK");
      for (const result of [body, tcp]) {
        expect(stringsIn(result).filter((text) => ANY_CONTROL.test(text))).toEqual([]);
        expect(result?.reason.length).toBeLessThanOrEqual(UNTRUSTED_LIMIT);
      }
    } finally {
      await json.close();
      await banner.close();
    }
  });
});
