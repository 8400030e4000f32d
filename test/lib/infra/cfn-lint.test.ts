/**
 * The templates checked as CloudFormation checks them: cfn-lint on every template of the matrix (one
 * location, several, heartbeats, a public status page, a private network …), with no error, and no
 * warning but those acknowledged here with their reason.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pythonToolAvailable, run } from "../../support/python-tools.js";
import { synthMatrix } from "./matrix.js";

/** Warnings accepted, by rule, each with its reason. */
const ACKNOWLEDGED: Record<string, string> = {
  W3005:
    "CDK makes each function depend on its role's default policy and on the role itself, which a GetAtt already implies: redundant, harmless, and CDK's to write",
};

interface Finding {
  Filename: string;
  Level: "Error" | "Warning" | "Informational";
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

const available = await pythonToolAvailable("cfn-lint");
let files: string[] = [];

beforeAll(async () => {
  if (!available) return;
  const dir = await mkdtemp(path.join(tmpdir(), "watchpost-cfn-lint-"));
  const templates = await synthMatrix(dir);
  files = [...templates.keys()].map((name) => {
    const [each, stack] = name.split("/") as [string, string];
    return path.join(dir, "cdk.out", each, `${stack}.template.json`);
  });
}, 240_000);

describe.skipIf(!available)("cfn-lint", () => {
  it("finds no error in any template of the matrix, and no warning not acknowledged", async () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    const lint = await run("cfn-lint", ["--format", "json", ...files]);
    // cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational.
    expect(lint.stderr).toBe("");
    const findings = JSON.parse(lint.stdout || "[]") as Finding[];
    const shown = (f: Finding) =>
      `${path.basename(path.dirname(f.Filename))}/${path.basename(f.Filename)} ${f.Rule.Id} ${f.Location.Path.join("/")}: ${f.Message}`;
    expect(findings.filter((f) => f.Level === "Error").map(shown)).toEqual([]);
    expect(findings.filter((f) => f.Level !== "Error" && !ACKNOWLEDGED[f.Rule.Id]).map(shown)).toEqual([]);
    expect(lint.code !== null && (lint.code & 2) === 0).toBe(true);
  }, 180_000);
});
