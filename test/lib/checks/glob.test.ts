import { describe, expect, it } from "vitest";
import { globMatcher, globProblem } from "../../../lib/checks/glob.js";
import { check } from "../../support/checks.js";

describe("S3 key globs", () => {
  it.each([
    ["*.dump", "db/2026/11/22/orders.dump", true],
    ["*.dump", "db/2026/11/22/orders.dump.tmp", false],
    ["orders-?.dump", "db/orders-1.dump", true],
    ["*.{dump,sql.gz}", "db/orders.sql.gz", true],
    ["*.{dump,sql.gz}", "db/orders.tar", false],
    ["orders-[ab].dump", "x/orders-b.dump", true],
    ["orders-[ab].dump", "x/orders-c.dump", false],
    ["db/*.dump", "db/orders.dump", true],
    ["db/*.dump", "db/2026/orders.dump", false],
    ["db/**/*.dump", "db/2026/11/orders.dump", true],
    ["db/**/*.dump", "other/2026/orders.dump", false],
    ["*.dump", "db/.hidden.dump", true],
  ])("%s against %s: %s", (glob, key, expected) => {
    expect(globMatcher(glob)(key)).toBe(expected);
  });

  it("refuses a glob it cannot read, at load time", () => {
    expect(globProblem("orders-[ab.dump")).toMatch(/Missing closing: "\]"/);
    expect(() =>
      check({ name: "b", backup: { maxAge: "1d", s3: { bucket: "backups", match: "orders-[ab.dump" } } }),
    ).toThrow(/s3\.match: expected a glob such as \*\.dump or \*\*\/\*\.tar\.gz \(Missing closing/);
  });
});
