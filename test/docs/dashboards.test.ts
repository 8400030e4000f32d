/** The shipped Grafana dashboard and Prometheus rules use only series Watchpost writes, and load. */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { heartbeatSeries, resultSeries } from "../../lib/metrics/series.js";
import { KINDS } from "../../lib/probes/kinds.js";
import type { CheckResult } from "../../lib/result.js";
import { peerAvailable } from "../support/peers.js";

const docs = path.join(import.meta.dirname, "../../docs");

/** Every series name the one mapping produces, from results that carry every fact there is. */
function writtenNames(): Set<string> {
  const certificate = {
    subject: "",
    issuer: "",
    sans: [],
    notBefore: "",
    notAfter: "2027-01-01T00:00:00Z",
    earliestNotAfter: "2027-01-01T00:00:00Z",
    chain: [],
    trusted: true,
    fingerprint256: "",
    blackbox: {
      subject: "CN=api.example.com",
      issuer: "CN=CA",
      dnsNames: "api.example.com",
      fingerprint: "00",
    },
  };
  const base: CheckResult = {
    name: "x",
    kind: "http",
    target: "https://x",
    status: "up",
    reason: "",
    attempts: 1,
    startedAt: "",
    durationMs: 1,
    severity: "critical",
    labels: {},
    conditions: [],
    phases: { resolve: 1, connect: 1, tls: 1, processing: 1, transfer: 1 },
    facts: {
      httpStatus: 200,
      bodyBytes: 1,
      redirects: [],
      tlsVersion: "TLSv1.3",
      tlsCipher: "TLS_AES_128_GCM_SHA256",
      tlsAccepted: true,
      finalTls: true,
      lastModified: 1,
      resolved: { address: "10.0.0.1", family: 4, lookupMs: 1 },
      dns: { answered: true, answerRrs: 1, authorityRrs: 0, additionalRrs: 0, serial: 1 },
      certificate,
      dnsAnswers: ["a"],
      backup: { identifier: "b", newestAt: "2026-01-01T00:00:00Z", ageSeconds: 1, sizeBytes: 1 },
      heartbeat: {
        pings: 1,
        lastPingAt: "2026-01-01T00:00:00Z",
        lastPingAgeSeconds: 1,
        durationSeconds: 1,
        sizeBytes: 1,
      },
    },
  };
  const kinds = KINDS;
  const results = kinds.flatMap((kind) =>
    (["up", "down"] as const).map((status) => ({ ...base, kind, status })),
  );
  const heartbeat = heartbeatSeries({ id: "1m-0", intervalMs: 60_000 }, 0, { location: "l", timestampMs: 0 });
  return new Set(
    [...results.flatMap((r) => resultSeries(r, { location: "l", timestampMs: 0 })), ...heartbeat].map(
      (s) => s.name,
    ),
  );
}

/** Metric names in a PromQL expression (recording rules of the same file count as written). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/(?<![\w:"])((?:probe_|watchpost[_:])[a-zA-Z0-9_:]*)/g)].map(
    (m) => m[1] as string,
  );
}

describe("Grafana dashboard", () => {
  it("is valid JSON whose queries name only series Watchpost writes", async () => {
    const dashboard = JSON.parse(await readFile(path.join(docs, "grafana/watchpost.json"), "utf8"));
    const written = writtenNames();
    const exprs: string[] = [
      ...dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list
        .filter((v: { definition?: string }) => v.definition)
        .map((v: { definition: string }) => v.definition),
    ];
    expect(exprs.length).toBeGreaterThan(8);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(written.has(name), `${name} in ${expr}`).toBe(true);
    }
    expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual(
      expect.arrayContaining([
        "Status by check",
        "HTTP latency by phase",
        "Certificate days left",
        "Backup age",
      ]),
    );
  });
});

describe("Prometheus rules", () => {
  it("name only series Watchpost writes or records", async () => {
    const text = await readFile(path.join(docs, "prometheus/rules.yml"), "utf8");
    const recorded = new Set([...text.matchAll(/record: (\S+)/g)].map((m) => m[1]));
    const written = writtenNames();
    const exprs = [...text.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1] as string);
    expect(exprs.length).toBe(19);
    for (const expr of exprs) {
      for (const name of metricNames(expr))
        expect(written.has(name) || recorded.has(name), `${name} in ${expr}`).toBe(true);
    }
  });

  it.skipIf(!peerAvailable("promtool", "prometheus"))(
    "pass promtool check rules, and their unit tests",
    () => {
      const check = spawnSync("promtool", ["check", "rules", "rules.yml"], {
        cwd: path.join(docs, "prometheus"),
        encoding: "utf8",
      });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain("SUCCESS: 19 rules found");
      const test = spawnSync("promtool", ["test", "rules", "rules.test.yml"], {
        cwd: path.join(docs, "prometheus"),
        encoding: "utf8",
      });
      expect(test.status, test.stdout + test.stderr).toBe(0);
    },
  );
});
