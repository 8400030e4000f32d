import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it, onTestFinished } from "vitest";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { loadChecks, parseCheckFile } from "../../../lib/checks/load.js";
import { RESERVED_LABELS } from "../../../lib/metrics/series.js";
import { KINDS } from "../../../lib/probes/kinds.js";

/** The kinds as the loader lists them in a message. */
const kinds = KINDS.join(", ");

const fixtures = path.join(import.meta.dirname, "../../fixtures");
const display = (file: string) => path.relative(fixtures, file);

describe("loading check files", () => {
  it("applies file defaults under each check's own fields, across nested folders", async () => {
    const loaded = await loadChecks(path.join(fixtures, "valid"), display);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files.map(display)).toEqual(["valid/nested/dns.yml", "valid/payments.yaml"]);
    const byName = Object.fromEntries(loaded.checks.map((c) => [c.name, c]));
    expect(byName["payments-api"]).toMatchObject({
      kind: "http",
      intervalMs: 30_000,
      timeoutMs: 5_000,
      severity: "warning",
      labels: { team: "payments", tier: "0" },
      alert: { failAfter: 3, recoverAfter: 2, runbook: "https://wiki.example/payments" },
      source: { file: "valid/payments.yaml", line: 9 },
      baseDir: path.join(fixtures, "valid"),
      config: {
        url: "https://api.example.com/health",
        method: "GET",
        followRedirects: true,
        maxBodySize: 1_048_576,
      },
    });
    expect(byName["payments-db"]).toMatchObject({
      severity: "critical",
      timeoutMs: 2_000,
      labels: { tier: "1" },
    });
    expect(byName["nested-dns"]).toMatchObject({
      intervalMs: 60_000,
      timeoutMs: 10_000,
      severity: "critical",
    });
    expect(byName["nested-dns"]?.alert).toEqual({
      failAfter: 2,
      failWithin: 2,
      recoverAfter: 1,
      recoverWithin: 1,
      confirmMs: 20_000,
      notifyDegraded: false,
      maintenance: [],
    });
    expect(byName["nested-dns"]?.retries).toBe(3);
  });

  it("reports every problem in every broken file in one run, positioned", async () => {
    const loaded = await loadChecks(path.join(fixtures, "broken"), display);
    expect(loaded.checks).toEqual([]);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "broken/01-yaml-syntax.yml:7:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      `broken/02-unknown-kind.yml:2:5: checks[0]: expected exactly one kind key (${kinds}), found none`,
      `broken/02-unknown-kind.yml:3:5: checks[0].htp: unknown field "htp"; did you mean "http"? (expected one of: name, interval, timeout, severity, labels, alert, locations, retries, slo, trace, maintenance, dependsOn, ${kinds})`,
      `broken/03-typo.yml:3:5: checks[0].timout: unknown field "timout"; did you mean "timeout"? (expected one of: name, interval, timeout, severity, labels, alert, locations, retries, slo, trace, maintenance, dependsOn, ${kinds})`,
      'broken/04-duration.yml:3:15: checks[0].interval: expected a duration such as 300ms, 30s, 5m, 26h or 14d, found "5 minutes"',
      `broken/05-two-kinds.yml:2:5: checks[0]: expected exactly one kind key (${kinds}), found tcp and dns`,
      'broken/06-name.yml:2:11: checks[0].name: expected a name of lower-case letters, digits and dashes, starting with a letter (at most 63), found "Payments_API"',
      'broken/07-severity.yml:2:13: defaults.severity: expected one of critical, warning, info, found "urgent"',
      'broken/08-port.yml:3:37: checks[0].tcp.port: expected a port number from 1 to 65535, found "5432x"',
      "broken/09-timeout.yml:4:14: checks[0].timeout: expected a timeout of at most the interval (30s), found 1m",
      "broken/10-not-a-list.yml:2:3: checks: expected a list of checks, found a mapping",
    ]);
  });

  it("names both places of a duplicated name, even across files", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-dup-"));
    await writeFile(path.join(dir, "a.yml"), "checks:\n  - name: api\n    tcp: { host: a, port: 1 }\n");
    await writeFile(
      path.join(dir, "b.yml"),
      "checks:\n  - name: other\n    tcp: { host: b, port: 1 }\n  - name: api\n    tcp: { host: c, port: 1 }\n",
    );
    const loaded = await loadChecks(dir, (file) => path.basename(file));
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      'b.yml:4:11: checks[1].name: expected a name unique across all check files, found "api", already used at a.yml:2:11',
    ]);
  });

  it("links dependencies across files: intervals, and every check behind one, transitively", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-deps-"));
    await writeFile(
      path.join(dir, "network.yml"),
      "checks:\n  - name: vpn\n    interval: 5m\n    tcp: { host: vpn, port: 443 }\n  - name: db\n    dependsOn: [vpn]\n    tcp: { host: db, port: 5432 }\n",
    );
    await writeFile(
      path.join(dir, "apps.yml"),
      "checks:\n  - name: api\n    dependsOn: [db]\n    http: { url: https://api/health }\n  - name: web\n    dependsOn: [db, api]\n    http: { url: https://web/health }\n",
    );
    const { checks, diagnostics } = await loadChecks(dir);
    expect(diagnostics).toEqual([]);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.db?.dependsOn).toEqual([{ check: "vpn", intervalMs: 300_000 }]);
    expect(byName.vpn?.dependents.map((d) => d.check)).toEqual(["api", "db", "web"]);
    expect(byName.db?.dependents.map((d) => d.check)).toEqual(["api", "web"]);
    expect(byName.web?.dependents).toEqual([]);
  });

  it("positions unknown, self, repeated and circular dependencies, across files", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-deps-bad-"));
    await writeFile(
      path.join(dir, "a.yml"),
      "checks:\n  - name: api\n    dependsOn: [databse, api, cache, cache]\n    tcp: { host: a, port: 1 }\n  - name: cache\n    dependsOn: [queue]\n    tcp: { host: c, port: 1 }\n",
    );
    await writeFile(
      path.join(dir, "b.yml"),
      "checks:\n  - name: database\n    tcp: { host: d, port: 1 }\n  - name: queue\n    dependsOn:\n      - cache\n    tcp: { host: q, port: 1 }\n",
    );
    const loaded = await loadChecks(dir, (file) => path.basename(file));
    expect(loaded.checks).toEqual([]);
    expect(loaded.diagnostics.map(formatDiagnostic).sort()).toEqual([
      'a.yml:3:17: checks[0].dependsOn[0]: expected the name of a check in any check file, found "databse"; did you mean "database"?',
      'a.yml:3:26: checks[0].dependsOn[1]: expected the name of another check, found "api", the check itself',
      'a.yml:3:38: checks[0].dependsOn[3]: expected each dependency once, found "cache" again',
      "b.yml:6:9: checks[1].dependsOn[0]: expected dependencies without a cycle, found cache → queue → cache",
    ]);
  });

  it("refuses a window smaller than its count, where it was written", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-window-"));
    await writeFile(
      path.join(dir, "a.yml"),
      "defaults:\n  alert: { recoverAfter: 3, recoverWithin: 2 }\nchecks:\n  - name: api\n    alert: { failAfter: 3, failWithin: 2 }\n    tcp: { host: a, port: 1 }\n",
    );
    const loaded = await loadChecks(dir, (file) => path.basename(file));
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "a.yml:5:40: checks[0].alert.failWithin: expected failWithin of at least failAfter (3): 3 of the last 2 runs can never happen, found 2",
      "a.yml:2:44: defaults.alert.recoverWithin: expected recoverWithin of at least recoverAfter (3): 3 of the last 2 runs can never happen, found 2",
    ]);
  });

  const cases: { name: string; yaml: string; messages: string[] }[] = [
    {
      name: "an empty file",
      yaml: "",
      messages: ["f.yml:1:1: expected a mapping with a checks list, found an empty file"],
    },
    {
      name: "a list at the top",
      yaml: "- name: x\n",
      messages: ["f.yml:1:1: expected a mapping, found a list"],
    },
    {
      name: "a missing name",
      yaml: "checks:\n  - tcp: { host: a, port: 1 }\n",
      messages: [
        "f.yml:2:5: checks[0].name: expected a name of lower-case letters, digits and dashes, starting with a letter (at most 63), found nothing",
      ],
    },
    {
      name: "a missing url",
      yaml: "checks:\n  - name: x\n    http: { method: GET }\n",
      messages: ["f.yml:3:11: checks[0].http.url: expected a string, found nothing"],
    },
    {
      name: "a bad regex and a bad JSONPath",
      yaml: "checks:\n  - name: x\n    http:\n      url: http://a\n      expect:\n        bodyMatches: '(('\n        json: [{ path: '$.a[?(@.b)]', exists: true }]\n",
      messages: [
        'f.yml:6:22: checks[0].http.expect.bodyMatches: expected a valid regular expression (Invalid regular expression: /((/: Unterminated group), found "(("',
        `f.yml:7:24: checks[0].http.expect.json[0].path: expected a JSONPath of .name, ['name'] and [index] segments; cannot read "[?(@.b)]", found "$.a[?(@.b)]"`,
      ],
    },
    {
      name: "a matcher with two tests",
      yaml: "checks:\n  - name: x\n    http:\n      url: http://a\n      expect:\n        json: [{ path: $.a, equals: 1, exists: true }]\n",
      messages: [
        "f.yml:6:16: checks[0].http.expect.json[0]: expected exactly one of equals, matches or exists, found equals and exists",
      ],
    },
    {
      name: "a malformed reference",
      yaml: "checks:\n  - name: x\n    http: { url: 'https://${vault:x}/' }\n",
      messages: [
        'f.yml:3:18: checks[0].http.url: expected a reference such as ${env:NAME}, ${secret:ID} or ${ssm:NAME}, found "${vault:x}"',
      ],
    },
    {
      name: "a runbook that is not an http(s) link",
      yaml: "checks:\n  - name: x\n    alert: { runbook: 'javascript:alert(1)//' }\n    tcp: { host: a, port: 1 }\n  - name: y\n    alert: { runbook: /wiki/y }\n    tcp: { host: a, port: 1 }\n",
      messages: [
        'f.yml:3:23: checks[0].alert.runbook: expected an absolute http: or https: URL, found "javascript:alert(1)//"',
        'f.yml:6:23: checks[1].alert.runbook: expected an absolute http: or https: URL, found "/wiki/y"',
      ],
    },
    {
      name: "a reserved label",
      yaml: "checks:\n  - name: x\n    labels: { instance: a }\n    tcp: { host: a, port: 1 }\n",
      messages: [
        `f.yml:3:15: checks[0].labels.instance: expected a label name other than ${RESERVED_LABELS.join(", ")} or __*, which Watchpost sets itself, found "instance"`,
      ],
    },
    {
      name: "a label the metrics write themselves (version, on probe_tls_version_info)",
      yaml: "checks:\n  - name: x\n    labels: { version: '2' }\n    tcp: { host: a, port: 1 }\n",
      messages: [
        `f.yml:3:15: checks[0].labels.version: expected a label name other than ${RESERVED_LABELS.join(", ")} or __*, which Watchpost sets itself, found "version"`,
      ],
    },
    {
      name: "a duplicate key",
      yaml: "checks:\n  - name: x\n    name: y\n    tcp: { host: a, port: 1 }\n",
      messages: ["f.yml:3:5: invalid YAML: Map keys must be unique"],
    },
    {
      name: "a ca file that does not exist",
      yaml: "checks:\n  - name: x\n    tls: { host: a, ca: certs/nope.pem }\n",
      messages: [
        "f.yml:3:25: checks[0].tls.ca: expected a PEM file relative to this check file, found no file at /certs/nope.pem",
      ],
    },
    {
      name: "a bad resolver and record type",
      yaml: "checks:\n  - name: x\n    dns: { name: a.test, type: SRV, resolver: 'dns.google' }\n",
      messages: [
        'f.yml:3:32: checks[0].dns.type: expected one of A, AAAA, CNAME, MX, TXT, NS, SOA, found "SRV"',
        'f.yml:3:47: checks[0].dns.resolver: expected a resolver address such as 1.1.1.1, 127.0.0.1:5353 or [::1]:53, found "dns.google"',
      ],
    },
    {
      name: "a YAML alias bomb, at its first alias, with no stack trace",
      yaml: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nchecks: *c\n",
      messages: [
        "f.yml:2:8: expected aliases (*name) to expand to at most 100 nodes each, found more: a YAML alias bomb is refused",
      ],
    },
    {
      name: "nesting deeper than any check file needs",
      yaml: `checks: ${"[".repeat(100)}${"]".repeat(100)}\n`,
      messages: ["f.yml:1:72: expected at most 64 levels of nesting, found more"],
    },
    {
      name: "keys that would reach an object's prototype",
      yaml: "checks:\n  - name: x\n    labels: { __proto__: a }\n    http: { url: https://a.example/, headers: { constructor: b } }\n",
      messages: [
        'f.yml:3:15: expected a key other than __proto__, constructor, prototype (they mean something else to JavaScript), found "__proto__"',
        'f.yml:4:49: expected a key other than __proto__, constructor, prototype (they mean something else to JavaScript), found "constructor"',
      ],
    },
  ];
  for (const c of cases) {
    it(`explains ${c.name}`, () => {
      const parsed = parseCheckFile("f.yml", c.yaml, "/");
      expect(parsed.diagnostics.map(formatDiagnostic)).toEqual(c.messages);
    });
  }

  it("names the first byte that is not UTF-8, and refuses a file too large to load", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-bytes-"));
    await writeFile(
      path.join(dir, "latin1.yml"),
      Buffer.from(
        'checks:\n  - name: api\n    http: { url: "https://a.example/", expect: { bodyContains: ["caf\xe9"] } }\n',
        "latin1",
      ),
    );
    await writeFile(path.join(dir, "huge.yml"), `# ${"x".repeat(9 * 1_048_576)}\n`);
    const loaded = await loadChecks(dir, (f) => path.basename(f));
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "huge.yml:1:1: expected a check file of at most 8 MiB, found 9.0 MiB: split it into several files (a folder is read recursively)",
      "latin1.yml:3:69: expected UTF-8 text, found the byte 0xE9, which is not valid UTF-8 here (save the file as UTF-8)",
    ]);
  });

  it("follows symlinked files and folders (a ConfigMap mount), reads each file once and survives a loop", async () => {
    const real = await mkdtemp(path.join(tmpdir(), "watchpost-real-"));
    await writeFile(path.join(real, "api.yml"), "checks:\n  - name: api\n    tcp: { host: a, port: 1 }\n");
    await writeFile(path.join(real, "db.yml"), "checks:\n  - name: db\n    tcp: { host: b, port: 2 }\n");
    const mount = await mkdtemp(path.join(tmpdir(), "watchpost-mount-"));
    await mkdir(path.join(mount, "..2026_11_22"));
    await symlink(path.join(real, "api.yml"), path.join(mount, "..2026_11_22", "api.yml"));
    await symlink("..2026_11_22", path.join(mount, "..data"));
    await symlink(path.join("..data", "api.yml"), path.join(mount, "api.yml"));
    await symlink(real, path.join(mount, "linked-folder"));
    await symlink(mount, path.join(mount, "loop"));
    await symlink(path.join(mount, "nowhere.yml"), path.join(mount, "dangling.yml"));
    const loaded = await loadChecks(mount, (f) => path.relative(mount, f));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files.map((f) => path.relative(mount, f))).toEqual(["api.yml", "linked-folder/db.yml"]);
    expect(loaded.checks.map((c) => c.name).sort()).toEqual(["api", "db"]);
  });

  it("says so when the folder does not exist or holds no check files", async () => {
    const missing = await loadChecks("/nonexistent/checks", (f) => f);
    expect(missing.diagnostics.map(formatDiagnostic)).toEqual([
      "/nonexistent/checks:1:1: expected a folder of check files, but it does not exist",
    ]);
    const empty = await loadChecks(await mkdtemp(path.join(tmpdir(), "watchpost-empty-")), () => "empty");
    expect(empty.diagnostics.map(formatDiagnostic)).toEqual([
      "empty:1:1: expected at least one check file (*.yml or *.yaml), found none",
    ]);
  });
});

describe("loader robustness", () => {
  const valid = `defaults:
  interval: 1m
  labels: { team: web }
checks:
  - name: api
    http:
      url: https://api.example.com/health
      headers: { Authorization: "Bearer \${env:TOKEN}" }
      expect:
        status: [200, 2xx]
        latency: { degraded: 300ms, fail: 2s }
        json: [{ path: $.status, equals: ok }]
  - name: cert
    tls: { host: example.com, expect: { validFor: 14d } }
  - name: db
    tcp: { host: db, port: 5432, expect: "^R" }
  - name: mx
    dns: { name: example.com, type: MX, expect: { count: { min: 1 } } }
`;

  it("never throws or warns on mutated files, and positions every diagnostic inside the file", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 6 }) }),
      fc.record({
        op: fc.constant("insert" as const),
        at: fc.nat(),
        text: fc.constantFrom(
          ":",
          "- ",
          "[",
          "]",
          "{",
          "}",
          "\n",
          "  ",
          "'",
          '"',
          "&a ",
          "*a",
          "!!int ",
          "? ",
          "#",
          "${",
          "null",
          "~",
          "1e999",
        ),
      }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = valid;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          text =
            m.op === "delete"
              ? text.slice(0, at) + text.slice(at + m.length)
              : text.slice(0, at) + m.text + text.slice(at);
        }
        const parsed = parseCheckFile("fuzz.yml", text, "/");
        const lines = text.split("\n").length;
        for (const d of parsed.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.message).toMatch(/expected|invalid YAML|unknown field/);
        }
        expect(parsed.diagnostics.length > 0 || parsed.checks.length > 0).toBe(true);
      }),
      { numRuns: 500, seed: 20261122 },
    );
    // process warnings are emitted on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});
