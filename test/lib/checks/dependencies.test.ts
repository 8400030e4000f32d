import { describe, expect, it } from "vitest";
import { type Dependency, dependencyProblems, linkDependencies } from "../../../lib/checks/dependencies.js";
import type { CheckSpec } from "../../../lib/checks/spec.js";

const at = (check: string, on: string, line: number): Dependency => ({
  check,
  on,
  file: "f.yml",
  line,
  column: 5,
  path: `checks[${line}].dependsOn[0]`,
});

describe("the dependency graph", () => {
  it("walks a chain of 50,000 checks without running out of stack, and finds the cycle that closes it", () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `c${i}`);
    const chain = names.slice(1).map((name, i) => at(names[i] as string, name, i + 1));
    expect(dependencyProblems(names, chain)).toEqual([]);
    const closed = [...chain, at("c49999", "c0", 50_000)];
    const problems = dependencyProblems(names, closed);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(50_000);
    expect(problems[0]?.message).toMatch(
      /^expected dependencies without a cycle, found c0 → c1 → c2 → .* → c49999 → c0$/,
    );
  });

  it("reports each cycle once, at the dependency that closes it", () => {
    const problems = dependencyProblems(
      ["a", "b", "c", "d"],
      [at("a", "b", 1), at("b", "c", 2), at("c", "a", 3), at("d", "d", 4), at("b", "a", 5)],
    );
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '4: expected the name of another check, found "d", the check itself',
      "3: expected dependencies without a cycle, found a → b → c → a",
      "5: expected dependencies without a cycle, found a → b → a",
    ]);
  });

  it("links every check behind a shared dependency once, in name order", () => {
    const spec = (name: string, dependsOn: string[]) =>
      ({
        name,
        intervalMs: 60_000,
        dependsOn: dependsOn.map((check) => ({ check, intervalMs: 0 })),
      }) as CheckSpec;
    const many = Array.from({ length: 20_000 }, (_, i) => spec(`app-${String(i).padStart(5, "0")}`, ["vpn"]));
    const linked = linkDependencies([spec("vpn", []), ...many]);
    expect(linked[0]?.dependents).toHaveLength(20_000);
    expect(linked[0]?.dependents[0]).toEqual({ check: "app-00000", intervalMs: 60_000 });
    expect(linked[1]?.dependsOn).toEqual([{ check: "vpn", intervalMs: 60_000 }]);
  });
});
