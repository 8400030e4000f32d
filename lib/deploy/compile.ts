/**
 * What a deployment needs from the check files, computed at synth time: shards (checks that run
 * together on one schedule), the compiled checks the function reads, and the IAM permissions and
 * secret references they imply. Nothing here imports the CDK, so it is tested like any library code.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Diagnostic, formatDiagnostic } from "../checks/diagnostics.js";
import type { CheckSpec, SloGroup } from "../checks/load.js";
import { pemFiles } from "../checks/pem-files.js";
import { REFERENCE } from "../checks/syntax.js";
import { DEFAULT_CONCURRENCY, resolvable } from "../engine.js";
import { PROBES } from "../probes/index.js";
import { ANY_SCOPE, type ArnScope, type Permission, type Probe } from "../probes/probe.js";
import { runBudgetMs } from "../retry.js";
import { alertingReserve, HANDLER_RESERVE_MS } from "../runtime/budget.js";
import { formatDuration } from "../units.js";

export interface Shard {
  /** `1m-0`: interval, then a counter. */
  id: string;
  intervalMs: number;
  checks: CheckSpec[];
}

export interface CompiledChecks {
  format: 1;
  shards: Record<string, CheckSpec[]>;
  /** Objectives over groups of checks; the fastest shard's runs evaluate them. */
  sloGroups?: SloGroup[];
  /**
   * Every check of the deployment by shard, when this function writes the status page and another
   * function (the private network's) runs some of them: the page shows them all, from history.
   */
  pageShards?: Record<string, Pick<CheckSpec, "name" | "kind" | "labels" | "slo">[]>;
}

/** Lambda's longest run. */
export const LAMBDA_MAX_MS = 900_000;

/** The longest one check may take in a run: its retries within their budget (lib/retry.ts). */
export function worstCaseMs(check: CheckSpec): number {
  return runBudgetMs(check);
}

/**
 * What a run of a shard may spend on probes: its interval (at most Lambda's 15 minutes), less the
 * handler's and the pipeline's reserves for sinks and alerting.
 */
export function probeBudgetMs(intervalMs: number): number {
  const total = Math.min(intervalMs, LAMBDA_MAX_MS) - HANDLER_RESERVE_MS;
  return total - alertingReserve(total);
}

/** A shard's worst case: its checks in waves of `concurrency`, each wave as slow as its slowest check. */
export function shardWorstCaseMs(checks: readonly CheckSpec[], concurrency = DEFAULT_CONCURRENCY): number {
  return Math.ceil(checks.length / concurrency) * Math.max(0, ...checks.map(worstCaseMs));
}

/** The function's timeout for these shards: the slowest shard's worst case, plus every reserve. */
export function functionTimeoutMs(shards: readonly Shard[], concurrency = DEFAULT_CONCURRENCY): number {
  const need = Math.max(...shards.map((shard) => shardWorstCaseMs(shard.checks, concurrency)));
  // 15 s: the most the pipeline keeps back for sinks and alerting; 2 s for cold start.
  return Math.min(LAMBDA_MAX_MS, Math.max(60_000, need + HANDLER_RESERVE_MS + 15_000 + 2_000));
}

/**
 * What stops checks from deploying: EventBridge Scheduler runs rate schedules in whole minutes, and
 * a run must finish inside its interval (runs of one shard never overlap), so every attempt of a
 * check timing out must still fit in the interval's probe budget. Each problem once, where it was
 * written (an interval in a file's defaults is one problem, not one per check), in the format of
 * every other check-file problem: `watchpost validate` and synth print the same lines.
 */
export function scheduleProblems(checks: readonly CheckSpec[]): Diagnostic[] {
  const problems = new Map<string, Diagnostic>();
  const add = (check: CheckSpec, field: "interval" | "timeout", message: string) => {
    const at = check.source.fields?.[field] ?? {
      line: check.source.line,
      column: check.source.column ?? 1,
      path: check.source.path ?? "",
    };
    const diagnostic = { file: check.source.file, ...at, message };
    problems.set(formatDiagnostic(diagnostic), diagnostic);
  };
  for (const check of checks) {
    if (check.intervalMs < 60_000 || check.intervalMs % 60_000 !== 0) {
      add(
        check,
        "interval",
        `expected an interval of whole minutes (at least 1m) to deploy (EventBridge Scheduler runs in minutes), found ${formatDuration(check.intervalMs)}`,
      );
      continue;
    }
    const budget = probeBudgetMs(check.intervalMs);
    if (worstCaseMs(check) > budget)
      add(
        check,
        check.source.fields?.timeout ? "timeout" : "interval",
        `expected a run (${check.retries === 0 ? "timeout" : "2 × timeout + 1.5s, with retries"}) to fit the ${formatDuration(check.intervalMs)} interval's probe time of ${formatSpanMs(budget)} to deploy, found ${formatSpanMs(worstCaseMs(check))} for a timeout of ${formatDuration(check.timeoutMs)}: lower timeout${check.retries === 0 ? "" : " or set retries: 0"}, or raise interval`,
      );
  }
  return [...problems.values()];
}

/**
 * Private keys named by file: a deployment would copy them into the function's bundle, readable by
 * anyone who can read the function's code. A key deploys as a reference (`${secret:ID}`) instead.
 */
export function keyFileProblems(checks: readonly CheckSpec[]): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const check of checks) {
    for (const { field, file, secret } of pemFiles(check.config)) {
      if (!secret) continue;
      problems.push({
        file: check.source.file,
        line: check.source.line,
        column: check.source.column ?? 1,
        path: [check.source.path || `checks`, check.kind, ...field].join("."),
        message: `expected the client key as a reference such as \${secret:ID} to deploy (a key file would be copied into the function's code), found the file ${file}`,
      });
    }
  }
  return problems;
}

/**
 * `${env:…}` references to variables the deployed functions do not have (their environment is
 * Watchpost's own, plus the construct's `environment`): the check, or a heartbeat's pings, could
 * never authenticate.
 */
export function envReferenceProblems(
  checks: readonly CheckSpec[],
  environment: readonly string[] = [],
): Diagnostic[] {
  return checks.flatMap((check) =>
    (check.source.envReferences ?? [])
      .filter(({ name }) => !environment.includes(name))
      .map(({ line, column, path, reference, name }) => ({
        file: check.source.file,
        line,
        column,
        path,
        message: `expected a \${secret:ID} or \${ssm:NAME} reference to deploy (the deployed functions have no variable ${name} unless the construct's environment sets it), found ${reference}`,
      })),
  );
}

/**
 * What stops checks from deploying, in the order a user fixes them. `environment`: the variables the
 * construct sets in the deployed functions, which `${env:…}` may name.
 */
export function checkDeployProblems(
  checks: readonly CheckSpec[],
  environment: readonly string[] = [],
): Diagnostic[] {
  return [
    ...scheduleProblems(checks),
    ...keyFileProblems(checks),
    ...envReferenceProblems(checks, environment),
  ];
}

function formatSpanMs(ms: number): string {
  return ms % 1_000 === 0 ? formatDuration(ms) : `${(ms / 1_000).toFixed(1)}s`;
}

/**
 * Checks grouped by interval, in a stable order, in shards of at most `maxChecks` that can finish
 * inside their interval even when every check times out on every attempt. Checks linked by
 * `dependsOn` stay in one shard when they fit, so a dependency's verdict in the same run holds its
 * dependents back (across shards, the alerter reads the dependency's stored state instead).
 */
export function cutShards(
  checks: readonly CheckSpec[],
  maxChecks: number,
  prefix = "",
  concurrency = DEFAULT_CONCURRENCY,
): Shard[] {
  const byInterval = new Map<number, CheckSpec[]>();
  for (const check of [...checks].sort((a, b) => a.name.localeCompare(b.name))) {
    byInterval.set(check.intervalMs, [...(byInterval.get(check.intervalMs) ?? []), check]);
  }
  const shards: Shard[] = [];
  for (const [intervalMs, group] of [...byInterval].sort((a, b) => a[0] - b[0])) {
    const budget = probeBudgetMs(intervalMs);
    let current: CheckSpec[] = [];
    const close = () => {
      if (current.length === 0) return;
      shards.push({
        id: `${prefix}${formatDuration(intervalMs)}-${shards.filter((s) => s.intervalMs === intervalMs).length}`,
        intervalMs,
        checks: current,
      });
      current = [];
    };
    const overflows = (more: CheckSpec[]) =>
      current.length > 0 &&
      (current.length + more.length > maxChecks ||
        shardWorstCaseMs([...current, ...more], concurrency) > budget);
    for (const unit of linkedGroups(group)) {
      // A linked group starts a new shard rather than being split, when it fits one.
      if (overflows(unit)) close();
      for (const check of unit) {
        if (overflows([check])) close();
        current.push(check);
      }
    }
    close();
  }
  return shards;
}

/** The checks in groups linked by dependsOn (in either direction), ordered by each group's first name. */
function linkedGroups(checks: readonly CheckSpec[]): CheckSpec[][] {
  const root = new Map(checks.map((check) => [check.name, check.name]));
  const find = (name: string): string => {
    let r = name;
    while (root.get(r) !== r) r = root.get(r) as string;
    return r;
  };
  for (const check of checks)
    for (const { check: other } of check.dependsOn)
      if (root.has(other)) root.set(find(check.name), find(other));
  const groups = new Map<string, CheckSpec[]>();
  for (const check of checks) {
    const key = find(check.name);
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  return [...groups.values()].sort((a, b) =>
    (a[0] as CheckSpec).name.localeCompare((b[0] as CheckSpec).name),
  );
}

/**
 * The checks as the function reads them: `ca:` files inlined (the bundle has no check folder), and
 * no synth-machine paths: source files are named relative to `root`, the checks folder.
 */
export function compile(
  shards: readonly Shard[],
  root = ".",
  sloGroups: readonly SloGroup[] = [],
  pageShards: readonly Shard[] = [],
): CompiledChecks {
  const out: CompiledChecks = {
    format: 1,
    shards: {},
    ...(sloGroups.length > 0 ? { sloGroups: [...sloGroups] } : {}),
    ...(pageShards.length > 0
      ? {
          pageShards: Object.fromEntries(
            pageShards.map((shard) => [
              shard.id,
              shard.checks.map(({ name, kind, labels, slo }) => ({
                name,
                kind,
                labels,
                ...(slo ? { slo } : {}),
              })),
            ]),
          ),
        }
      : {}),
  };
  for (const shard of shards) {
    out.shards[shard.id] = shard.checks.map((check) => {
      const file = path.isAbsolute(check.source.file)
        ? path.relative(path.resolve(root), check.source.file).split(path.sep).join("/")
        : check.source.file;
      return {
        ...check,
        baseDir: ".",
        source: { ...check.source, file },
        config: withPemInlined(check),
      } as CheckSpec;
    });
  }
  return out;
}

/** The check's config with its certificate files' PEM in their place (key files never deploy). */
function withPemInlined(check: CheckSpec): unknown {
  let config = check.config as Record<string, unknown>;
  for (const { field, file, secret } of pemFiles(config)) {
    if (secret) continue;
    const pem = readFileSync(path.resolve(check.baseDir, file), "utf8");
    config = setIn(config, field, pem);
  }
  return config;
}

function setIn(
  object: Record<string, unknown>,
  [key, ...rest]: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const next: unknown =
    rest.length === 0 ? value : setIn(object[key as string] as Record<string, unknown>, rest, value);
  // A flow's steps are a list: it stays one.
  if (Array.isArray(object)) return Object.assign([...object], { [key as string]: next });
  return { ...object, [key as string]: next };
}

/** Every `${secret:ID}` and `${ssm:NAME}` the checks (and `more`: channel targets) reference, for exact IAM grants. */
export function references(
  checks: readonly CheckSpec[],
  more: readonly string[] = [],
): { secrets: string[]; parameters: string[] } {
  const secrets = new Set<string>();
  const parameters = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      for (const [, provider, id] of value.matchAll(REFERENCE)) {
        if (provider === "secret") secrets.add(id as string);
        if (provider === "ssm") parameters.add(id as string);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  for (const check of checks) visit(resolvable(PROBES[check.kind] as unknown as Probe, check.config));
  visit(more);
  return { secrets: [...secrets].sort(), parameters: [...parameters].sort() };
}

/** The IAM permissions the checks declare (backup checks), merged by action set. */
export function checkPermissions(checks: readonly CheckSpec[], scope: ArnScope = ANY_SCOPE): Permission[] {
  const merged = new Map<string, Permission>();
  for (const check of checks) {
    const probe = PROBES[check.kind] as unknown as Probe;
    for (const permission of probe.permissions?.(check.config, scope) ?? []) {
      const key = permission.actions.join(",");
      const existing = merged.get(key);
      merged.set(key, {
        actions: permission.actions,
        resources: [...new Set([...(existing?.resources ?? []), ...permission.resources])].sort(),
        ...(permission.reason
          ? { reason: permission.reason }
          : existing?.reason
            ? { reason: existing.reason }
            : {}),
      });
    }
  }
  // A wildcard covers the rest: say it once.
  return [...merged.values()].map((p) => (p.resources.includes("*") ? { ...p, resources: ["*"] } : p));
}
