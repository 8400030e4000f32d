/**
 * A CheckSpec from one valid check entry and its file's defaults (the check's own fields win), with
 * the rules that need both: a timeout within the interval, windows no smaller than their counts,
 * each location once, a quorum the locations can meet, a CA file that exists.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { KINDS, type Kind } from "../probes/kinds.js";
import { formatDuration } from "../units.js";
import { type Diagnostic, formatPath } from "./diagnostics.js";
import { pemFiles } from "./pem-files.js";
import type { CheckEntry, CheckFile } from "./schema.js";
import { sloOf } from "./slo.js";
import { type CheckSpec, DEFAULTS, HEARTBEAT_DEFAULTS } from "./spec.js";
import { ENV_REFERENCE } from "./syntax.js";
import type { Locate } from "./yaml-position.js";

export type FileDefaults = NonNullable<CheckFile["defaults"]>;

/** The kinds whose requests `trace: true` stamps with a traceparent. */
const TRACED_KINDS: readonly Kind[] = ["http", "steps"];

/** The check's spec, and what is wrong with the combination of its fields and the file's defaults. */
export function specOf(
  entry: CheckEntry,
  index: number,
  defaults: FileDefaults,
  { file, baseDir, locate }: { file: string; baseDir: string; locate: Locate },
): { spec: CheckSpec; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const problem = (field: readonly PropertyKey[], message: string) =>
    diagnostics.push({ file, ...locate(field), path: formatPath(field), message });
  const kind = KINDS.find((k) => entry[k] !== undefined) as Kind;
  const where = locate(["checks", index]);
  const intervalMs = entry.interval ?? defaults.interval ?? DEFAULTS.intervalMs;
  const timeoutMs = entry.timeout ?? defaults.timeout ?? DEFAULTS.timeoutMs;
  if (timeoutMs > intervalMs) {
    problem(
      entry.timeout !== undefined ? ["checks", index, "timeout"] : ["checks", index],
      `expected a timeout of at most the interval (${formatDuration(intervalMs)}), found ${formatDuration(timeoutMs)}`,
    );
  }
  for (const { field, file: pem } of pemFiles(entry[kind])) {
    if (!existsSync(path.resolve(baseDir, pem)))
      problem(
        ["checks", index, kind, ...field],
        `expected a PEM file relative to this check file, found no file at ${path.resolve(baseDir, pem)}`,
      );
  }
  // A flow's steps have timeouts of their own, within the flow's.
  for (const [i, step] of (entry.steps ?? []).entries()) {
    if (step.timeout !== undefined && step.timeout > timeoutMs)
      problem(
        ["checks", index, "steps", i, "timeout"],
        `expected a step timeout of at most the check's timeout (${formatDuration(timeoutMs)}, the whole flow's), found ${formatDuration(step.timeout)}`,
      );
  }
  if (entry.trace === true && !TRACED_KINDS.includes(kind))
    problem(
      ["checks", index, "trace"],
      `expected trace only on a check that makes http requests (${TRACED_KINDS.join(", ")}), found it on a ${kind} check`,
    );
  const alert = { ...defaults.alert, ...entry.alert };
  // A heartbeat's verdict is a fact about recorded pings, not a flaky observation of a network:
  // asking again in the same run or waiting for a second run only delays the page.
  const given = kind === "heartbeat" ? { ...DEFAULTS, ...HEARTBEAT_DEFAULTS } : DEFAULTS;
  const failAfter = alert.failAfter ?? given.failAfter;
  const recoverAfter = alert.recoverAfter ?? DEFAULTS.recoverAfter;
  for (const [after, within, afterName, withinName] of [
    [failAfter, alert.failWithin, "failAfter", "failWithin"],
    [recoverAfter, alert.recoverWithin, "recoverAfter", "recoverWithin"],
  ] as const) {
    if (within === undefined || within >= after) continue;
    problem(
      entry.alert?.[withinName] !== undefined
        ? ["checks", index, "alert", withinName]
        : ["defaults", "alert", withinName],
      `expected ${withinName} of at least ${afterName} (${after}): ${after} of the last ${within} runs can never happen, found ${within}`,
    );
  }
  const locations = entry.locations ?? defaults.locations;
  if (locations && new Set(locations).size !== locations.length) {
    problem(
      entry.locations ? ["checks", index, "locations"] : ["defaults", "locations"],
      `expected each location once, found ${locations.filter((l, i) => locations.indexOf(l) !== i).join(", ")} twice`,
    );
  }
  if (locations && alert.quorum !== undefined && alert.quorum > locations.length) {
    problem(
      entry.alert?.quorum !== undefined
        ? ["checks", index, "alert", "quorum"]
        : ["defaults", "alert", "quorum"],
      `expected a quorum of at most the check's ${locations.length} location(s) (${locations.join(", ")}), found ${alert.quorum}`,
    );
  }
  const spec: CheckSpec = {
    name: entry.name,
    kind,
    config: entry[kind] as CheckSpec["config"],
    intervalMs,
    timeoutMs,
    severity: entry.severity ?? defaults.severity ?? DEFAULTS.severity,
    // Not `{ ...a, ...b }`: V8 gives every object built by spreading a runtime object first a shape
    // of its own, and 50,000 checks then keep 50,000 shapes alive.
    labels: Object.assign({}, defaults.labels, entry.labels),
    alert: {
      failAfter,
      failWithin: alert.failWithin ?? failAfter,
      recoverAfter,
      recoverWithin: alert.recoverWithin ?? recoverAfter,
      ...(alert.confirmAfter !== false && (alert.confirmAfter !== undefined || given.confirmMs > 0)
        ? { confirmMs: alert.confirmAfter ?? given.confirmMs }
        : {}),
      ...(alert.renotifyEvery !== undefined ? { renotifyEveryMs: alert.renotifyEvery } : {}),
      ...(alert.runbook !== undefined ? { runbook: alert.runbook } : {}),
      notifyDegraded: alert.notifyDegraded ?? false,
      ...(alert.quorum !== undefined ? { quorum: alert.quorum } : {}),
      maintenance: [...(defaults.maintenance ?? []), ...(entry.maintenance ?? [])],
    },
    ...(locations ? { locations } : {}),
    retries: entry.retries ?? defaults.retries ?? given.retries,
    // In the defaults it applies to the kinds that make http requests; on a check of another kind it is refused above.
    ...((entry.trace ?? defaults.trace) && TRACED_KINDS.includes(kind) ? { trace: true } : {}),
    ...sloOf(entry.slo ?? defaults.slo),
    dependsOn: (entry.dependsOn ?? []).map((check) => ({ check, intervalMs: 0 })),
    dependents: [],
    source: {
      file,
      line: where.line,
      column: where.column,
      path: formatPath(["checks", index]),
      ...envReferencesOf(entry[kind], ["checks", index, kind], locate),
      fields: Object.fromEntries(
        (["interval", "timeout"] as const).flatMap((field) => {
          const at =
            entry[field] !== undefined
              ? ["checks", index, field]
              : defaults[field] !== undefined
                ? ["defaults", field]
                : undefined;
          if (!at) return [];
          const { line, column } = locate(at);
          return [[field, { line, column, path: formatPath(at) }]];
        }),
      ),
    },
    baseDir,
  };
  return { spec, diagnostics };
}

/**
 * Where `${env:…}` is written in a check's settings (none: no key), for the deploy rule that refuses
 * it: nothing sets the variable in the function.
 */
function envReferencesOf(
  value: unknown,
  at: PropertyKey[],
  locate: Locate,
): Pick<CheckSpec["source"], "envReferences"> {
  const found: NonNullable<CheckSpec["source"]["envReferences"]> = [];
  const visit = (node: unknown, field: PropertyKey[]): void => {
    if (typeof node === "string") {
      for (const [reference, name] of node.matchAll(ENV_REFERENCE))
        found.push({ ...locate(field), path: formatPath(field), reference, name: name as string });
    } else if (Array.isArray(node)) for (const [i, item] of node.entries()) visit(item, [...field, i]);
    else if (node && typeof node === "object")
      for (const [key, item] of Object.entries(node)) visit(item, [...field, key]);
  };
  visit(value, at);
  return found.length > 0 ? { envReferences: found } : {};
}
