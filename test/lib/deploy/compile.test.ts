import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { loadChecks } from "../../../lib/checks/load.js";
import {
  checkDeployProblems,
  checkPermissions,
  compile,
  cutShards,
  functionTimeoutMs,
  probeBudgetMs,
  references,
  scheduleProblems,
  shardWorstCaseMs,
} from "../../../lib/deploy/compile.js";
import { check } from "../../support/checks.js";

const tcp = (name: string, interval = "1m") => check({ name, interval, tcp: { host: "db", port: 5432 } });

describe("deployment compile", () => {
  it("cuts shards by interval and size, in a stable order", () => {
    const checks = [
      ...Array.from({ length: 5 }, (_, i) => tcp(`fast-${i}`)),
      tcp("slow-a", "5m"),
      tcp("slow-b", "5m"),
    ];
    const shards = cutShards(checks.reverse(), 2);
    expect(shards.map((s) => [s.id, s.checks.map((c) => c.name)])).toEqual([
      ["1m-0", ["fast-0", "fast-1"]],
      ["1m-1", ["fast-2", "fast-3"]],
      ["1m-2", ["fast-4"]],
      ["5m-0", ["slow-a", "slow-b"]],
    ]);
    expect(cutShards(checks, 2, "vpc-")[0]?.id).toBe("vpc-1m-0");
  });

  it("keeps checks linked by dependsOn in one shard, so a dependency's verdict holds its dependents in the same run", () => {
    const linked = (name: string, on: string[]) => ({
      ...tcp(name),
      dependsOn: on.map((check) => ({ check, intervalMs: 60_000 })),
    });
    const checks = [
      tcp("a-db"),
      tcp("b"),
      tcp("c"),
      tcp("d"),
      linked("e-api", ["a-db"]),
      linked("f-web", ["e-api"]),
    ];
    const shards = cutShards(checks, 3);
    expect(shards.map((s) => s.checks.map((c) => c.name))).toEqual([
      ["a-db", "e-api", "f-web"],
      ["b", "c", "d"],
    ]);
    // A linked group larger than a shard is split (the alerter then reads stored state across shards).
    expect(cutShards(checks, 2).flatMap((s) => s.checks.map((c) => c.name))).toHaveLength(6);
  });

  it("cuts shards that finish inside their interval even when every check times out on every attempt", () => {
    const slow = (name: string) =>
      check({ name, timeout: "10s", retries: 1, tcp: { host: "db", port: 5432 } });
    const checks = Array.from({ length: 300 }, (_, i) => slow(`c-${String(i).padStart(3, "0")}`));
    // 1m: 59s less a 14.75s reserve leaves 44.25s; a wave of 64 checks takes 2 × 10s + a 1.5s pause:
    // two waves fit.
    expect(probeBudgetMs(60_000)).toBe(44_250);
    const shards = cutShards(checks, 200);
    expect(shards.map((s) => s.checks.length)).toEqual([128, 128, 44]);
    for (const shard of shards) expect(shardWorstCaseMs(shard.checks)).toBeLessThanOrEqual(44_250);
    // 43s of waves, 18s of reserves.
    expect(functionTimeoutMs(shards)).toBe(61_000);
    expect(
      functionTimeoutMs(
        cutShards(
          checks.map((c) => ({ ...c, intervalMs: 600_000 })),
          200,
        ),
      ),
    ).toBe(4 * 21_500 + 18_000);
  });

  it("refuses a check that cannot finish inside its interval, saying what to change", () => {
    const tooSlow = check({ name: "too-slow", timeout: "30s", retries: 1, tcp: { host: "db", port: 5432 } });
    expect(scheduleProblems([tooSlow]).map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^test\.yml:1:\d+: checks\[0\]\.timeout: expected a run \(2 × timeout \+ 1\.5s, with retries\) to fit the 1m interval's probe time of 44\.3s to deploy, found 61\.5s for a timeout of 30s: lower timeout or set retries: 0, or raise interval$/,
      ),
    ]);
  });

  it("names source files relative to the checks folder: no synth machine's paths in the asset", () => {
    const spec = { ...tcp("api"), source: { file: "/home/me/project/checks/team/api.yml", line: 3 } };
    const compiled = compile(cutShards([spec], 10), "/home/me/project/checks");
    expect(compiled.shards["1m-0"]?.[0]?.source).toMatchObject({ file: "team/api.yml", line: 3 });
    expect(JSON.stringify(compiled)).not.toContain("/home/me");
  });

  it("refuses intervals a schedule cannot keep, naming the check and its file", () => {
    expect(
      scheduleProblems([tcp("ok", "2m"), tcp("too-fast", "30s"), tcp("odd", "90s")]).map((d) => d.message),
    ).toEqual([
      "expected an interval of whole minutes (at least 1m) to deploy (EventBridge Scheduler runs in minutes), found 30s",
      "expected an interval of whole minutes (at least 1m) to deploy (EventBridge Scheduler runs in minutes), found 90s",
    ]);
  });

  it("says each deploy problem once, where it was written: an interval in defaults is one problem", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-schedule-"));
    await writeFile(
      path.join(dir, "fast.yml"),
      "defaults:\n  interval: 30s\nchecks:\n  - name: a\n    tcp: { host: a, port: 1 }\n  - name: b\n    tcp: { host: b, port: 1 }\n  - name: c\n    interval: 45s\n    tcp: { host: c, port: 1 }\n",
    );
    const { checks } = await loadChecks(dir, (file) => path.basename(file));
    expect(scheduleProblems(checks).map(formatDiagnostic)).toEqual([
      "fast.yml:2:13: defaults.interval: expected an interval of whole minutes (at least 1m) to deploy (EventBridge Scheduler runs in minutes), found 30s",
      "fast.yml:9:15: checks[2].interval: expected an interval of whole minutes (at least 1m) to deploy (EventBridge Scheduler runs in minutes), found 45s",
    ]);
  });

  it("refuses ${env:…} in anything deployed, at the value where it was written", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-env-"));
    await writeFile(
      path.join(dir, "env.yml"),
      `checks:
  - name: api
    http: { url: "https://api.example.com/", headers: { X-Token: "\${env:API_TOKEN}", X-Id: "\${secret:id}" } }
  - name: export
    heartbeat:
      every: 7d
      token: "\${env:EXPORT_TOKEN}"
  - name: local
    http: { url: "https://example.com/$\${env:NOT_A_REFERENCE}" }
`,
    );
    const { checks, diagnostics } = await loadChecks(dir, (file) => path.basename(file));
    expect(diagnostics).toEqual([]);
    expect(checkDeployProblems(checks).map(formatDiagnostic)).toEqual([
      "env.yml:3:66: checks[0].http.headers.X-Token: expected a ${secret:ID} or ${ssm:NAME} reference to deploy (the deployed functions have no variable API_TOKEN unless the construct's environment sets it), found ${env:API_TOKEN}",
      "env.yml:7:14: checks[1].heartbeat.token: expected a ${secret:ID} or ${ssm:NAME} reference to deploy (the deployed functions have no variable EXPORT_TOKEN unless the construct's environment sets it), found ${env:EXPORT_TOKEN}",
    ]);
    // A variable the construct sets in the functions resolves there.
    expect(checkDeployProblems(checks, ["API_TOKEN"]).map((d) => d.path)).toEqual([
      "checks[1].heartbeat.token",
    ]);
  });

  it("inlines ca files, since the bundle carries no check folder", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-compile-"));
    await writeFile(
      path.join(dir, "ca.pem"),
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    const spec = check({ name: "api", http: { url: "https://api.internal/", ca: "ca.pem" } }, dir);
    const compiled = compile(cutShards([spec], 10));
    const shipped = compiled.shards["1m-0"]?.[0];
    expect((shipped?.config as { ca?: string } | undefined)?.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(shipped?.baseDir).toBe(".");
    expect(JSON.stringify(compiled)).not.toContain(dir);
  });

  it("tells the status page's writer every shard's checks, the private function's too, without their configs", () => {
    const own = cutShards(
      [tcp("db"), check({ name: "api", slo: { availability: "99%" }, http: { url: "https://a/" } })],
      10,
    );
    const private_ = cutShards([tcp("vault")], 10, "vpc-");
    const compiled = compile(own, ".", [], [...own, ...private_]);
    expect(Object.keys(compiled.shards)).toEqual(["1m-0"]);
    expect(compiled.pageShards).toEqual({
      "1m-0": [
        { name: "api", kind: "http", labels: {}, slo: { availability: 0.99, windowMs: 30 * 86_400_000 } },
        { name: "db", kind: "tcp", labels: {} },
      ],
      "vpc-1m-0": [{ name: "vault", kind: "tcp", labels: {} }],
    });
    expect(compile(own).pageShards).toBeUndefined();
  });

  it("lists the secrets and parameters the checks reference", () => {
    const checks = [
      check({
        name: "a",
        http: { url: "https://a/", headers: { A: "Bearer ${secret:prod/token}", B: "${ssm:/team/key}" } },
      }),
      check({ name: "b", http: { url: "${secret:prod/token}" } }),
    ];
    expect(references(checks)).toEqual({ secrets: ["prod/token"], parameters: ["/team/key"] });
  });

  it("merges the backup checks' permissions by action", () => {
    const checks = [
      check({ name: "a", backup: { maxAge: "1d", s3: { bucket: "one" } } }),
      check({ name: "b", backup: { maxAge: "1d", s3: { bucket: "two" } } }),
      check({ name: "c", backup: { maxAge: "1d", dynamodb: { table: "orders" } } }),
      tcp("d"),
    ];
    expect(checkPermissions(checks)).toEqual([
      { actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::one", "arn:aws:s3:::two"] },
      { actions: ["dynamodb:DescribeContinuousBackups"], resources: ["arn:aws:dynamodb:*:*:table/orders"] },
      {
        actions: ["dynamodb:ListBackups"],
        resources: ["*"],
        reason: "dynamodb:ListBackups supports no resource-level permissions",
      },
    ]);
  });
});
