import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchema } from "../../../lib/checks/schema.js";
import { KINDS } from "../../../lib/probes/index.js";
import { VERSION } from "../../../lib/version.js";

const root = path.join(import.meta.dirname, "../../..");

describe("the JSON Schema editors use", () => {
  it("is committed exactly as `watchpost schema` generates it", async () => {
    const committed = JSON.parse(await readFile(path.join(root, "schema/checks.schema.json"), "utf8"));
    expect(committed).toEqual(jsonSchema());
  });

  it("offers every kind from the registry, and requires exactly one", () => {
    const check = (jsonSchema() as { properties: { checks: { items: Record<string, unknown> } } }).properties
      .checks.items;
    expect(Object.keys(check.properties as object)).toEqual(
      expect.arrayContaining(["name", "interval", "timeout", "severity", "labels", "alert", ...KINDS]),
    );
    expect(check.oneOf).toEqual(KINDS.map((kind) => ({ required: [kind] })));
    expect(check.additionalProperties).toBe(false);
  });

  it("is referenced by every example check file", async () => {
    for (const file of [
      "checks/web.yml",
      "checks/network.yml",
      "examples/backups.yml",
      "examples/heartbeats.yml",
      "examples/protocols.yml",
    ]) {
      const text = await readFile(path.join(root, file), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/checks.schema.json");
    }
  });
});

describe("version", () => {
  it("matches package.json", async () => {
    const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
});
