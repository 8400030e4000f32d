/** A steps check as the loader reads it: the flow is valid; each refused case is positioned. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { parseCheckFile } from "../../../lib/checks/load.js";
import { jsonSchema } from "../../../lib/checks/schema.js";

const FLOW = `checks:
  - name: orders-flow
    interval: 5m
    timeout: 20s               # the whole flow
    steps:
      - name: login
        http:
          url: https://api.example.com/login
          method: POST
          headers: { content-type: application/json }
          body: '{"user":"probe","password":"\${secret:probe/password}"}'
          expect: { status: [200] }
        extract:
          token: { json: $.token }
      - name: create
        http:
          url: https://api.example.com/orders
          method: POST
          headers: { authorization: "Bearer \${var:token}" }
          expect: { status: [201], json: [{ path: $.id, exists: true }] }
        extract:
          id: { json: $.id }
          etag: { header: etag }
      - name: read
        http:
          url: https://api.example.com/orders/\${var:id}
          headers: { authorization: "Bearer \${var:token}" }
          expect: { json: [{ path: $.state, equals: open }], latency: { degraded: 300ms } }
      - name: cleanup
        always: true             # runs even after an earlier step failed
        http:
          url: https://api.example.com/orders/\${var:id}
          method: DELETE
          headers: { authorization: "Bearer \${var:token}" }
`;

function problems(text: string): string[] {
  return parseCheckFile("f.yml", text, "/").diagnostics.map(formatDiagnostic);
}

/** A check of the given steps (YAML lines, indented as list items under `steps:`). */
function flow(steps: string, extra = ""): string {
  return `checks:\n  - name: f\n${extra}    steps:\n${steps}`;
}

describe("the steps kind", () => {
  it("reads the issue's flow as written", () => {
    const parsed = parseCheckFile("f.yml", FLOW, "/");
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([]);
    const [spec] = parsed.checks;
    expect(spec?.kind).toBe("steps");
    expect(spec?.timeoutMs).toBe(20_000);
    const steps = spec?.config as { name: string; always: boolean; extract?: object }[];
    expect(steps.map((s) => [s.name, s.always])).toEqual([
      ["login", false],
      ["create", false],
      ["read", false],
      ["cleanup", true],
    ]);
    expect(steps[1]?.extract).toEqual({ id: { json: "$.id" }, etag: { header: "etag" } });
  });

  it.each([
    {
      case: "an unknown variable",
      yaml: flow(`      - name: a\n        http: { url: "https://x.example/\${var:nope}" }\n`),
      want: "f.yml:5:22: checks[0].steps[0].http.url: expected ${var:…} naming a value an earlier step extracts (none does), found ${var:nope}, which no step extracts",
    },
    {
      case: "a variable defined by a later step",
      yaml: flow(
        `      - name: a\n        http: { url: "https://x.example/\${var:id}" }\n      - name: b\n        http: { url: "https://x.example/" }\n        extract: { id: { json: $.id } }\n`,
      ),
      want: 'f.yml:5:22: checks[0].steps[0].http.url: expected ${var:…} naming a value an earlier step extracts, found ${var:id}, which step "b" extracts only after it runs',
    },
    {
      case: "a variable the step itself extracts",
      yaml: flow(
        `      - name: a\n        http: { url: "https://x.example/\${var:id}" }\n        extract: { id: { json: $.id } }\n`,
      ),
      want: "f.yml:5:22: checks[0].steps[0].http.url: expected ${var:…} naming a value an earlier step extracts, found ${var:id}, which this step extracts only after it runs",
    },
    {
      case: "duplicate step names",
      yaml: flow(
        `      - name: a\n        tcp: { host: x.example, port: 1 }\n      - name: a\n        tcp: { host: x.example, port: 2 }\n`,
      ),
      want: 'f.yml:6:15: checks[0].steps[1].name: expected a step name unique in the check, found "a", the name of step 1 too',
    },
    {
      case: "an extract a tcp step cannot give",
      yaml: flow(
        `      - name: a\n        tcp: { host: x.example, port: 1 }\n        extract: { v: { json: $.x } }\n`,
      ),
      want: "f.yml:6:31: checks[0].steps[0].extract.v.json: expected nothing to extract from: a tcp step gives no values, found json",
    },
    {
      case: "an answer from an http step",
      yaml: flow(
        `      - name: a\n        http: { url: "https://x.example/" }\n        extract: { v: { answer: 0 } }\n`,
      ),
      want: "f.yml:6:33: checks[0].steps[0].extract.v.answer: expected what a http step can give (json, header, regex), found answer",
    },
    {
      case: "a header from a dns step",
      yaml: flow(
        `      - name: a\n        dns: { name: x.example }\n        extract: { v: { header: etag } }\n`,
      ),
      want: "f.yml:6:33: checks[0].steps[0].extract.v.header: expected what a dns step can give (answer), found header",
    },
    {
      case: "more than 10 steps",
      yaml: flow(
        Array.from(
          { length: 11 },
          (_, i) => `      - name: s${i}\n        tcp: { host: x.example, port: 1 }\n`,
        ).join(""),
      ),
      want: "f.yml:4:7: checks[0].steps: expected at most 10 steps, found a list",
    },
    {
      case: "a steps check nested in steps",
      yaml: flow(
        `      - name: a\n        steps:\n          - name: b\n            tcp: { host: x.example, port: 1 }\n`,
      ),
      want: "f.yml:6:11: checks[0].steps[0].steps: expected a step of one kind (http, tcp, tls, dns): a steps check cannot be nested in steps, found a list",
    },
    {
      case: "a step of two kinds",
      yaml: flow(
        `      - name: a\n        tcp: { host: x.example, port: 1 }\n        dns: { name: x.example }\n`,
      ),
      want: "f.yml:4:9: checks[0].steps[0]: expected exactly one kind key (http, tcp, tls, dns), found tcp and dns",
    },
    {
      case: "a variable in a check that is not a flow",
      yaml: `checks:\n  - name: f\n    http: { url: "https://x.example/\${var:token}" }\n`,
      want: "f.yml:3:18: checks[0].http.url: expected ${env:…}, ${secret:…} or ${ssm:…} (${var:…} names a value extracted by an earlier step of a steps check), found ${var:token}",
    },
    {
      case: "a step timeout longer than the flow's",
      yaml: flow(
        `      - name: a\n        tcp: { host: x.example, port: 1 }\n        timeout: 30s\n`,
        "    timeout: 10s\n",
      ),
      want: "f.yml:7:18: checks[0].steps[0].timeout: expected a step timeout of at most the check's timeout (10s, the whole flow's), found 30s",
    },
  ])("refuses $case, positioned", ({ yaml, want }) => {
    expect(problems(yaml)).toContain(want);
  });

  it("reports every problem of a flow in one go, not the first only", () => {
    const yaml = flow(
      `      - name: a\n        http: { url: "https://x.example/\${var:nope}" }\n      - name: a\n        tcp: { host: x.example, port: 1 }\n        extract: { v: { regex: x } }\n      - name: c\n        steps: []\n`,
    );
    expect(problems(yaml)).toHaveLength(5);
  });

  it("gives editors the steps, one kind per step, and ${var:…} in text fields", async () => {
    const schema = jsonSchema() as {
      properties: { checks: { items: { properties: Record<string, { items: Record<string, unknown> }> } } };
    };
    const step = schema.properties.checks.items.properties.steps?.items as {
      properties: Record<string, unknown>;
      oneOf: unknown;
    };
    expect(Object.keys(step.properties)).toEqual([
      "name",
      "http",
      "tcp",
      "tls",
      "dns",
      "extract",
      "always",
      "timeout",
    ]);
    expect(step.oneOf).toEqual(["http", "tcp", "tls", "dns"].map((kind) => ({ required: [kind] })));
    const committed = await readFile(
      path.join(import.meta.dirname, "../../../schema/checks.schema.json"),
      "utf8",
    );
    expect(committed).toContain("${var:NAME}");
  });
});
