/** The dependency graph between checks: what each `dependsOn` names, what is wrong with it, and who depends on whom. */
import { type Diagnostic, didYouMean, type Position } from "./diagnostics.js";
import type { CheckEntry } from "./schema.js";
import type { CheckSpec } from "./spec.js";
import type { Locate } from "./yaml-position.js";

/** One `dependsOn` entry, with where it was written. */
export type Dependency = { check: string; on: string } & Position;

/** A check's `dependsOn` entries with their positions. */
export function dependenciesOf(file: string, entry: CheckEntry, index: number, locate: Locate): Dependency[] {
  return (entry.dependsOn ?? []).map((on, j) => ({
    check: entry.name,
    on,
    file,
    ...locate(["checks", index, "dependsOn", j]),
    path: `checks[${index}].dependsOn[${j}]`,
  }));
}

/** Dependencies naming no check, the check itself, one check twice, or closing a cycle. */
export function dependencyProblems(
  names: readonly string[],
  dependencies: Iterable<Dependency>,
): Diagnostic[] {
  const known = new Set(names);
  const diagnostics: Diagnostic[] = [];
  const edges = new Map<string, Map<string, Position>>();
  for (const dependency of dependencies) {
    const { check, on, ...position } = dependency;
    const own = edges.get(check) ?? new Map<string, Position>();
    edges.set(check, own);
    let message: string | undefined;
    if (on === check) message = `expected the name of another check, found "${on}", the check itself`;
    else if (!known.has(on)) {
      const suggestion = didYouMean(on, names);
      message = `expected the name of a check in any check file, found "${on}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
    } else if (own.has(on)) message = `expected each dependency once, found "${on}" again`;
    if (message) diagnostics.push({ ...position, message });
    else own.set(on, position);
  }
  // Each cycle once, reported at the dependency that closes it. Depth first without recursion: a chain
  // of thousands of checks must not exhaust the stack.
  const done = new Set<string>();
  for (const start of edges.keys()) {
    if (done.has(start)) continue;
    const path = [start];
    const onPath = new Map([[start, 0]]);
    const pending = [edges.get(start)?.entries() ?? [].values()];
    while (pending.length > 0) {
      const check = path.at(-1) as string;
      const step = (pending.at(-1) as Iterator<[string, Position]>).next();
      if (step.done) {
        done.add(check);
        pending.pop();
        onPath.delete(path.pop() as string);
        continue;
      }
      const [on, position] = step.value;
      if (on === check) continue;
      const at = onPath.get(on);
      if (at !== undefined) {
        const cycle = [...path.slice(at), on].join(" → ");
        diagnostics.push({ ...position, message: `expected dependencies without a cycle, found ${cycle}` });
      } else if (!done.has(on)) {
        onPath.set(on, path.length);
        path.push(on);
        pending.push(edges.get(on)?.entries() ?? [].values());
      }
    }
  }
  return diagnostics;
}

/** Fills in each check's dependencies' intervals and the checks that depend on it, transitively. */
export function linkDependencies(checks: CheckSpec[]): CheckSpec[] {
  const byName = new Map(checks.map((check) => [check.name, check]));
  const ref = (name: string) => ({ check: name, intervalMs: byName.get(name)?.intervalMs ?? 0 });
  const direct = new Map<string, string[]>();
  for (const check of checks)
    for (const { check: on } of check.dependsOn) {
      const list = direct.get(on);
      if (list) list.push(check.name);
      else direct.set(on, [check.name]);
    }
  return checks.map((check) => {
    const dependents = new Set<string>();
    const queue = [...(direct.get(check.name) ?? [])];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (dependents.has(next) || next === check.name) continue;
      dependents.add(next);
      queue.push(...(direct.get(next) ?? []));
    }
    return {
      ...check,
      dependsOn: check.dependsOn.map(({ check: on }) => ref(on)),
      dependents: [...dependents].sort().map(ref),
    };
  });
}
