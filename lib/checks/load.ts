/**
 * Reads check files into CheckSpecs. Never throws on user input: every problem in every file comes
 * back as a positioned Diagnostic, so one run shows them all.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import type { MaintenanceWindow } from "../alerting/maintenance.js";
import type { CONFIGS } from "../probes/config/index.js";
import { KINDS, type Kind } from "../probes/kinds.js";
import { formatDuration } from "../units.js";
import { type Diagnostic, describeValue, didYouMean, formatPath } from "./diagnostics.js";
import { findCheckFiles, readCheckFile } from "./files.js";
import { type CheckEntry, type CheckFile, fileSchema, type Severity } from "./schema.js";
import { offsetOf } from "./yaml-position.js";

export interface AlertPolicy {
  failAfter: number;
  /** Runs `failAfter` is counted among; equal to it for "in a row". */
  failWithin: number;
  recoverAfter: number;
  recoverWithin: number;
  /** Delay of the confirmation re-probe after a failed run; undefined: no confirmation. */
  confirmMs?: number;
  renotifyEveryMs?: number;
  runbook?: string;
  notifyDegraded: boolean;
  /** Locations that must see a failure; undefined: a majority of those that reported. */
  quorum?: number;
  /** The file's windows and the check's own. */
  maintenance: MaintenanceWindow[];
}

/** Another check, named by a dependency: its interval says how old its state may be and still count. */
export interface DependencyRef {
  check: string;
  intervalMs: number;
}

/** One validated check with its file's defaults applied. */
export interface CheckSpec<K extends Kind = Kind> {
  name: string;
  kind: K;
  config: z.output<(typeof CONFIGS)[K]>;
  intervalMs: number;
  timeoutMs: number;
  severity: Severity;
  labels: Record<string, string>;
  alert: AlertPolicy;
  /** Where it runs; undefined: every location of the deployment (or of `--locations`). */
  locations?: string[];
  /** Retries within a run after a failed attempt (lib/retry.ts). */
  retries: number;
  /** Its service level objective, when it has one (lib/history/slo.ts). */
  slo?: Slo;
  /** The checks this one depends on, directly. */
  dependsOn: DependencyRef[];
  /** The checks that depend on this one, directly or through others. */
  dependents: DependencyRef[];
  /**
   * Where it was defined, for messages: `checks/api.yml:12:5`, and where its interval and timeout
   * were written (the check's own field, or the file's defaults), so deploy rules point there.
   */
  source: {
    file: string;
    line: number;
    column?: number;
    path?: string;
    fields?: Partial<Record<"interval" | "timeout", { line: number; column: number; path: string }>>;
  };
  /** Folder of the check file; relative paths in the check resolve against it. */
  baseDir: string;
}

export const DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 10_000,
  severity: "critical",
  failAfter: 2,
  recoverAfter: 1,
  confirmMs: 20_000,
  retries: 3,
} as const;

/** A service level objective, as the check file gives it, in numbers. */
export interface Slo {
  /** The share of runs that must pass (0.999). */
  availability?: number;
  /** A percentile of passing runs' latency: at most `thresholdMs` for `quantile` of them. */
  latency?: { quantile: number; thresholdMs: number };
  windowMs: number;
}

export const DEFAULT_SLO_WINDOW_MS = 30 * 86_400_000;

function sloOf(given: NonNullable<CheckFile["slos"]>[number] | CheckEntry["slo"]): { slo?: Slo } {
  if (!given) return {};
  const [key, thresholdMs] = Object.entries(given.latency ?? {}).find(([, v]) => v !== undefined) ?? [];
  return {
    slo: {
      ...(given.availability !== undefined ? { availability: given.availability } : {}),
      ...(key !== undefined
        ? { latency: { quantile: Number(key.slice(1)) / 100, thresholdMs: thresholdMs as number } }
        : {}),
      windowMs: given.window ?? DEFAULT_SLO_WINDOW_MS,
    },
  };
}

/** Where a heartbeat check's defaults differ: it alerts on the first late or failed run. */
export const HEARTBEAT_DEFAULTS = { failAfter: 1, confirmMs: 0, retries: 0 } as const;

/** An objective over every check with some labels: its budget is theirs together. */
export interface SloGroup {
  name: string;
  labels: Record<string, string>;
  slo: Slo;
  /** The checks in it, by name. */
  members: string[];
}

export interface LoadResult {
  checks: CheckSpec[];
  diagnostics: Diagnostic[];
  files: string[];
  /** Objectives over groups of checks (`slos:` in any file). */
  sloGroups?: SloGroup[];
}

/**
 * Loads `target` (a folder or one file); `display` turns absolute paths into what messages show.
 * Synchronous, because a CDK construct loads checks in its constructor; check files are small.
 */
export function loadChecksSync(
  target: string,
  display: (file: string) => string = relativeToCwd,
): LoadResult {
  let files: string[];
  try {
    files = findCheckFiles(target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const found =
      code === "ENOENT" ? "it does not exist" : `it cannot be read (${code ?? (error as Error).message})`;
    return {
      checks: [],
      files: [],
      diagnostics: [at(display(target), "", `expected a folder of check files, but ${found}`)],
    };
  }
  if (files.length === 0) {
    return {
      checks: [],
      files,
      diagnostics: [
        at(display(target), "", "expected at least one check file (*.yml or *.yaml), found none"),
      ],
    };
  }
  const results = files.map((file): ParsedFile => {
    const read = readCheckFile(file);
    if ("problem" in read)
      return {
        checks: [],
        diagnostics: [at(display(file), "", read.problem, read.line, read.column)],
        names: [],
      };
    return parseCheckFile(display(file), read.text, path.resolve(path.dirname(file)));
  });
  const checks = results.flatMap((result) => result.checks);
  const diagnostics = [
    ...results.flatMap((result) => result.diagnostics),
    ...duplicateNames(results),
    ...dependencyProblems(results),
  ];
  const groups = sloGroupsOf(results, checks);
  diagnostics.push(...groups.diagnostics);
  if (diagnostics.length > 0) return { checks: [], diagnostics, files };
  return {
    checks: linkDependencies(checks),
    diagnostics,
    files,
    ...(groups.groups.length > 0 ? { sloGroups: groups.groups } : {}),
  };
}

/** The files' `slos:`, each with its members; a name used twice, or a group of no check, is a problem. */
function sloGroupsOf(
  files: ParsedFile[],
  checks: CheckSpec[],
): { groups: SloGroup[]; diagnostics: Diagnostic[] } {
  const groups: SloGroup[] = [];
  const diagnostics: Diagnostic[] = [];
  const taken = new Map(
    checks.map((check) => [check.name, `check at ${check.source.file}:${check.source.line}`]),
  );
  for (const file of files)
    for (const group of file.groups ?? []) {
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

export async function loadChecks(target: string, display?: (file: string) => string): Promise<LoadResult> {
  return loadChecksSync(target, display);
}

function relativeToCwd(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative || ".";
}

function at(file: string, pathText: string, message: string, line = 1, column = 1): Diagnostic {
  return { file, line, column, path: pathText, message };
}

interface Position {
  file: string;
  line: number;
  column: number;
  path: string;
}

interface ParsedFile {
  checks: CheckSpec[];
  diagnostics: Diagnostic[];
  /** Name → position, for the uniqueness check across files. */
  names: ({ name: string } & Position)[];
  /** Every `dependsOn` entry with its position, checked against the names of every file. */
  dependencies?: ({ check: string; on: string } & Position)[];
  /** The file's `slos:`, members not yet found (they may be in any file). */
  groups?: (Omit<SloGroup, "members"> & { position: Position; labelsAt: Position })[];
}

/** Nesting deeper than any check file needs; deeper input is refused before it can exhaust the stack. */
const MAX_DEPTH = 64;
const TOO_DEEP = `expected at most ${MAX_DEPTH} levels of nesting, found more`;
/** The YAML library's own bound on alias expansion (billion laughs). */
const MAX_ALIAS_COUNT = 100;
/** Keys that would reach an object's prototype rather than be a key: refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The first node nested deeper than `limit` (an iterative walk: deep input must not overflow it). */
function nodeDeeperThan(root: Node | null, limit: number): Node | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isMap(node) || isSeq(node)) {
      if (depth > limit) return node as Node;
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, depth + 1], [item.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

/** Parses and validates one file's text. Exported for tests and the fuzzer. */
export function parseCheckFile(file: string, text: string, baseDir: string): ParsedFile {
  const lineCounter = new LineCounter();
  const position = (offset: number) => lineCounter.linePos(offset);
  const fail = (message: string, offset = 0): ParsedFile => {
    const { line, col } = position(offset);
    return { checks: [], diagnostics: [at(file, "", message, line, col)], names: [] };
  };
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (error) {
    if (error instanceof RangeError) return fail(TOO_DEEP);
    throw error;
  }
  if (doc.errors.length > 0) {
    const diagnostics = doc.errors.map((error) => {
      const { line, col } = position(error.pos[0]);
      const message = /call stack/i.test(error.message)
        ? TOO_DEEP
        : `invalid YAML: ${error.message.split("\n")[0]}`;
      return at(file, "", message, line, col);
    });
    return { checks: [], diagnostics, names: [] };
  }
  const tooDeep = nodeDeeperThan(doc.contents as Node | null, MAX_DEPTH);
  if (tooDeep) return fail(TOO_DEEP, tooDeep.range?.[0] ?? 0);
  const keyProblems: Diagnostic[] = [];
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      firstAlias ??= alias.range?.[0];
    },
    Pair(_, pair) {
      const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
      const { line, col } = position(offset);
      if (pair.key !== null && !isScalar(pair.key)) {
        keyProblems.push(
          at(file, "", "expected a plain text key, found a list or mapping used as a key", line, col),
        );
      } else if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        keyProblems.push(
          at(
            file,
            "",
            `expected a key other than ${[...FORBIDDEN_KEYS].join(", ")} (they mean something else to JavaScript), found "${String(pair.key.value)}"`,
            line,
            col,
          ),
        );
      }
    },
  });
  if (keyProblems.length > 0) return { checks: [], diagnostics: keyProblems, names: [] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError)
      return fail(
        `expected aliases (*name) to expand to at most ${MAX_ALIAS_COUNT} nodes each, found more: a YAML alias bomb is refused`,
        firstAlias,
      );
    if (error instanceof RangeError) return fail(TOO_DEEP);
    throw error;
  }
  if (data === null || data === undefined) {
    return {
      checks: [],
      diagnostics: [at(file, "", "expected a mapping with a checks list, found an empty file")],
      names: [],
    };
  }
  const locate = (issuePath: readonly PropertyKey[], key?: string) => {
    const { line, col } = position(offsetOf(doc.contents as Node | null, issuePath, key));
    return { line, column: col };
  };

  const parsed = fileSchema.safeParse(data, { error: (issue) => expectedText(issue as unknown as Issue) });
  if (!parsed.success) {
    const diagnostics = parsed.error.issues.flatMap((issue) =>
      issueDiagnostics(file, data, issue as unknown as Issue, locate),
    );
    diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    return { checks: [], diagnostics, names: namesIn(file, data, locate) };
  }
  return {
    ...buildSpecs(file, parsed.data, baseDir, locate),
    names: namesIn(file, data, locate),
    dependencies: dependenciesIn(file, parsed.data, locate),
    groups: (parsed.data.slos ?? []).map((group, index) => {
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
    }),
  };
}

function dependenciesIn(
  file: string,
  parsed: CheckFile,
  locate: (p: readonly PropertyKey[]) => { line: number; column: number },
): NonNullable<ParsedFile["dependencies"]> {
  return parsed.checks.flatMap((check, index) =>
    (check.dependsOn ?? []).map((on, j) => ({
      check: check.name,
      on,
      file,
      ...locate(["checks", index, "dependsOn", j]),
      path: `checks[${index}].dependsOn[${j}]`,
    })),
  );
}

/** Dependencies naming no check, the check itself, one check twice, or closing a cycle. */
function dependencyProblems(files: ParsedFile[]): Diagnostic[] {
  const names = [...new Set(files.flatMap((file) => file.names.map((entry) => entry.name)))];
  const known = new Set(names);
  const diagnostics: Diagnostic[] = [];
  const edges = new Map<string, Map<string, Position>>();
  for (const dependency of files.flatMap((file) => file.dependencies ?? [])) {
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
  // Each cycle once, reported at the dependency that closes it.
  const done = new Set<string>();
  const visit = (check: string, trail: string[]): void => {
    if (done.has(check)) return;
    for (const [on, position] of edges.get(check) ?? []) {
      const at = trail.indexOf(on);
      if (at >= 0) {
        const cycle = [...trail.slice(at), check, on].join(" → ");
        diagnostics.push({ ...position, message: `expected dependencies without a cycle, found ${cycle}` });
      } else if (on !== check) visit(on, [...trail, check]);
    }
    done.add(check);
  };
  for (const check of edges.keys()) visit(check, []);
  return diagnostics;
}

/** Fills in each check's dependencies' intervals and the checks that depend on it, transitively. */
function linkDependencies(checks: CheckSpec[]): CheckSpec[] {
  const byName = new Map(checks.map((check) => [check.name, check]));
  const ref = (name: string) => ({ check: name, intervalMs: byName.get(name)?.intervalMs ?? 0 });
  const direct = new Map<string, string[]>();
  for (const check of checks)
    for (const { check: on } of check.dependsOn) direct.set(on, [...(direct.get(on) ?? []), check.name]);
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

/** The check names a file declares, valid or not, so duplicates are found even in a broken file. */
function namesIn(
  file: string,
  data: unknown,
  locate: (p: readonly PropertyKey[]) => { line: number; column: number },
): ParsedFile["names"] {
  const checks = (data as { checks?: unknown }).checks;
  if (!Array.isArray(checks)) return [];
  return checks.flatMap((check, index) => {
    const name = (check as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return [];
    return [{ name, file, ...locate(["checks", index, "name"]), path: `checks[${index}].name` }];
  });
}

function buildSpecs(
  file: string,
  parsed: CheckFile,
  baseDir: string,
  locate: (p: readonly PropertyKey[], key?: string) => { line: number; column: number },
): Omit<ParsedFile, "names"> {
  const defaults = parsed.defaults ?? {};
  const checks: CheckSpec[] = [];
  const diagnostics: Diagnostic[] = [];
  parsed.checks.forEach((entry: CheckEntry, index) => {
    const kind = KINDS.find((k) => entry[k] !== undefined) as Kind;
    const where = locate(["checks", index]);
    const intervalMs = entry.interval ?? defaults.interval ?? DEFAULTS.intervalMs;
    const timeoutMs = entry.timeout ?? defaults.timeout ?? DEFAULTS.timeoutMs;
    if (timeoutMs > intervalMs) {
      const field = entry.timeout !== undefined ? ["checks", index, "timeout"] : ["checks", index];
      diagnostics.push({
        file,
        ...locate(field),
        path: formatPath(field),
        message: `expected a timeout of at most the interval (${formatDuration(intervalMs)}), found ${formatDuration(timeoutMs)}`,
      });
    }
    const ca = (entry[kind] as { ca?: string }).ca;
    if (ca !== undefined && !existsSync(path.resolve(baseDir, ca))) {
      const field = ["checks", index, kind, "ca"];
      diagnostics.push({
        file,
        ...locate(field),
        path: formatPath(field),
        message: `expected a PEM file relative to this check file, found no file at ${path.resolve(baseDir, ca)}`,
      });
    }
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
      const inCheck = entry.alert?.[withinName] !== undefined;
      const field = inCheck ? ["checks", index, "alert", withinName] : ["defaults", "alert", withinName];
      diagnostics.push({
        file,
        ...locate(field),
        path: formatPath(field),
        message: `expected ${withinName} of at least ${afterName} (${after}): ${after} of the last ${within} runs can never happen, found ${within}`,
      });
    }
    const locations = entry.locations ?? defaults.locations;
    if (locations && new Set(locations).size !== locations.length) {
      const field = entry.locations ? ["checks", index, "locations"] : ["defaults", "locations"];
      diagnostics.push({
        file,
        ...locate(field),
        path: formatPath(field),
        message: `expected each location once, found ${locations.filter((l, i) => locations.indexOf(l) !== i).join(", ")} twice`,
      });
    }
    if (locations && alert.quorum !== undefined && alert.quorum > locations.length) {
      const field =
        entry.alert?.quorum !== undefined
          ? ["checks", index, "alert", "quorum"]
          : ["defaults", "alert", "quorum"];
      diagnostics.push({
        file,
        ...locate(field),
        path: formatPath(field),
        message: `expected a quorum of at most the check's ${locations.length} location(s) (${locations.join(", ")}), found ${alert.quorum}`,
      });
    }
    checks.push({
      name: entry.name,
      kind,
      config: entry[kind] as CheckSpec["config"],
      intervalMs,
      timeoutMs,
      severity: entry.severity ?? defaults.severity ?? DEFAULTS.severity,
      labels: { ...defaults.labels, ...entry.labels },
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
      ...sloOf(entry.slo ?? defaults.slo),
      dependsOn: (entry.dependsOn ?? []).map((check) => ({ check, intervalMs: 0 })),
      dependents: [],
      source: {
        file,
        line: where.line,
        column: where.column,
        path: formatPath(["checks", index]),
        fields: Object.fromEntries(
          (["interval", "timeout"] as const).flatMap((field) => {
            const at =
              entry[field] !== undefined
                ? ["checks", index, field]
                : defaults[field] !== undefined
                  ? ["defaults", field]
                  : undefined;
            return at ? [[field, { ...locate(at), path: formatPath(at) }]] : [];
          }),
        ),
      },
      baseDir,
    });
  });
  return { checks: diagnostics.length ? [] : checks, diagnostics };
}

function duplicateNames(files: ParsedFile[]): Diagnostic[] {
  const first = new Map<string, ParsedFile["names"][number]>();
  const diagnostics: Diagnostic[] = [];
  for (const entry of files.flatMap((file) => file.names)) {
    const earlier = first.get(entry.name);
    if (!earlier) {
      first.set(entry.name, entry);
      continue;
    }
    diagnostics.push({
      ...entry,
      message: `expected a name unique across all check files, found "${entry.name}", already used at ${earlier.file}:${earlier.line}:${earlier.column}`,
    });
  }
  return diagnostics;
}

/** The part of a zod issue this module reads (zod 4's issue shapes). */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  keys?: string[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  input?: unknown;
  issues?: { message: string }[];
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  record: "a mapping",
};

/** zod's built-in issues, worded as the "expected" half of a diagnostic. */
function expectedText(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return TYPE_NAMES[issue.expected ?? ""] ?? `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${(issue.values ?? []).map((value) => String(value)).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `at least ${issue.minimum} item(s)`
        : issue.origin === "string"
          ? "a non-empty string"
          : `at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `at most ${issue.maximum} item(s)` : `at most ${issue.maximum}`;
    case "unrecognized_keys":
      return "only known fields";
    default:
      return "a valid value";
  }
}

function issueDiagnostics(
  file: string,
  data: unknown,
  issue: Issue,
  locate: (p: readonly PropertyKey[], key?: string) => { line: number; column: number },
): Diagnostic[] {
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(issue.path);
    return (issue.keys ?? []).map((key) => {
      const suggestion = didYouMean(key, known);
      return {
        file,
        ...locate(issue.path, key),
        path: formatPath([...issue.path, key]),
        message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ""} (expected one of: ${known.join(", ")})`,
      };
    });
  }
  if (issue.code === "invalid_key") {
    // A record key (a label name) was rejected: point at the key and quote it.
    const key = String(issue.path.at(-1));
    const inner = issue.issues?.[0]?.message ?? "a valid key";
    return [
      {
        file,
        ...locate(issue.path.slice(0, -1), key),
        path: formatPath(issue.path),
        message: `expected ${inner}, found "${key}"`,
      },
    ];
  }
  const found = valueAt(data, issue.path);
  const message = issue.message.includes(", found ")
    ? `expected ${issue.message}`
    : `expected ${issue.message}, found ${describeValue(found)}`;
  return [{ file, ...locate(issue.path), path: formatPath(issue.path), message }];
}

function valueAt(data: unknown, issuePath: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of issuePath) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The fields the schema accepts at `issuePath`, for "did you mean". */
function knownKeys(issuePath: readonly PropertyKey[]): string[] {
  let schema: ZodLike | undefined = fileSchema as unknown as ZodLike;
  for (const segment of issuePath) {
    schema = unwrap(schema);
    const def = schema?._zod.def;
    if (!def) return [];
    if (def.type === "object") schema = def.shape?.[segment as string];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return [];
  }
  const def = unwrap(schema)?._zod.def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

interface ZodLike {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, ZodLike>;
      element?: ZodLike;
      valueType?: ZodLike;
      innerType?: ZodLike;
      in?: ZodLike;
    };
  };
}

function unwrap(schema: ZodLike | undefined): ZodLike | undefined {
  let current = schema;
  while (current) {
    const def: ZodLike["_zod"]["def"] = current._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
  return current;
}
