/** Service level objectives: a check's own, in numbers, and group objectives over checks chosen by labels. */
import { type Diagnostic, formatPath, type Position } from "./diagnostics.js";
import type { CheckEntry, CheckFile } from "./schema.js";
import { type CheckSpec, DEFAULT_SLO_WINDOW_MS, type Slo, type SloGroup } from "./spec.js";
import type { Locate } from "./yaml-position.js";

/** A file's group objective, its members not yet known (they may be in any file). */
export type GroupInFile = Omit<SloGroup, "members"> & { position: Position; labelsAt: Position };

export function sloOf(given: NonNullable<CheckFile["slos"]>[number] | CheckEntry["slo"]): { slo?: Slo } {
  if (!given) return {};
  const [key, thresholdMs] = Object.entries(given.latency ?? {}).find(([, v]) => v !== undefined) ?? [];
  // Fields assigned one by one rather than spread in: spread objects each get a V8 shape of their own.
  const slo = {} as Slo;
  if (given.availability !== undefined) slo.availability = given.availability;
  if (key !== undefined)
    slo.latency = { quantile: Number(key.slice(1)) / 100, thresholdMs: thresholdMs as number };
  slo.windowMs = given.window ?? DEFAULT_SLO_WINDOW_MS;
  return { slo };
}

/** A file's `slos:`, with where each name and labels were written. */
export function groupsIn(file: string, slos: CheckFile["slos"], locate: Locate): GroupInFile[] {
  return (slos ?? []).map((group, index) => {
    const { name, labels, ...objective } = group;
    const where = ["slos", index, "name"];
    const labelsWhere = ["slos", index, "labels"];
    return {
      name,
      labels,
      slo: sloOf(objective).slo as Slo,
      position: { file, ...locate(where), path: formatPath(where) },
      labelsAt: { file, ...locate(labelsWhere), path: formatPath(labelsWhere) },
    };
  });
}

/** Every file's groups with their members; a name used twice, or a group of no check, is a problem. */
export function sloGroupsOf(
  groupsByFile: readonly GroupInFile[][],
  checks: readonly CheckSpec[],
): { groups: SloGroup[]; diagnostics: Diagnostic[] } {
  const groups: SloGroup[] = [];
  const diagnostics: Diagnostic[] = [];
  const taken = new Map(
    checks.map((check) => [check.name, `check at ${check.source.file}:${check.source.line}`]),
  );
  for (const fileGroups of groupsByFile)
    for (const group of fileGroups) {
      const { position, labelsAt, ...given } = group;
      const clash = taken.get(given.name);
      if (clash) {
        diagnostics.push({
          ...position,
          message: `expected a name unique among checks and group objectives, found "${given.name}", already the ${clash}`,
        });
        continue;
      }
      taken.set(given.name, `group objective at ${position.file}:${position.line}`);
      const members = checks
        .filter((check) => Object.entries(given.labels).every(([k, v]) => check.labels[k] === v))
        .map((check) => check.name);
      if (members.length === 0) {
        diagnostics.push({
          ...labelsAt,
          message: `expected labels some check carries, found ${JSON.stringify(given.labels)}, which no check has`,
        });
        continue;
      }
      groups.push({ ...given, members });
    }
  return { groups, diagnostics };
}
