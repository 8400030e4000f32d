/**
 * What a deployment needs from the check files, computed at synth time: shards (checks that run
 * together on one schedule), the compiled checks the function reads, and the IAM permissions and
 * secret references they imply. Nothing here imports the CDK, so it is tested like any library code.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { REFERENCE } from "../checks/fields.js";
import type { CheckSpec } from "../checks/load.js";
import { PROBES } from "../probes/index.js";
import { ANY_SCOPE, type ArnScope, type Permission, type Probe } from "../probes/probe.js";
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
}

/** EventBridge Scheduler runs rate schedules in whole minutes. */
export function scheduleProblems(checks: readonly CheckSpec[]): string[] {
  return checks
    .filter((check) => check.intervalMs < 60_000 || check.intervalMs % 60_000 !== 0)
    .map(
      (check) =>
        `${check.source.file}:${check.source.line}: ${check.name}: expected an interval of whole minutes (at least 1m) to deploy, found ${formatDuration(check.intervalMs)}`,
    );
}

/** Checks grouped by interval, in shards of at most `maxChecks`, in a stable order. */
export function cutShards(checks: readonly CheckSpec[], maxChecks: number, prefix = ""): Shard[] {
  const byInterval = new Map<number, CheckSpec[]>();
  for (const check of [...checks].sort((a, b) => a.name.localeCompare(b.name))) {
    byInterval.set(check.intervalMs, [...(byInterval.get(check.intervalMs) ?? []), check]);
  }
  const shards: Shard[] = [];
  for (const [intervalMs, group] of [...byInterval].sort((a, b) => a[0] - b[0])) {
    for (let start = 0, n = 0; start < group.length; start += maxChecks, n++) {
      shards.push({
        id: `${prefix}${formatDuration(intervalMs)}-${n}`,
        intervalMs,
        checks: group.slice(start, start + maxChecks),
      });
    }
  }
  return shards;
}

/**
 * The checks as the function reads them: `ca:` files inlined (the bundle has no check folder), and
 * no synth-machine paths.
 */
export function compile(shards: readonly Shard[]): CompiledChecks {
  const out: CompiledChecks = { format: 1, shards: {} };
  for (const shard of shards) {
    out.shards[shard.id] = shard.checks.map((check) => {
      const config = check.config as { ca?: string };
      const ca = config.ca ? readFileSync(path.resolve(check.baseDir, config.ca), "utf8") : undefined;
      return { ...check, baseDir: ".", config: ca ? { ...config, ca } : config } as CheckSpec;
    });
  }
  return out;
}

/** Every `${secret:ID}` and `${ssm:NAME}` the checks reference, for exact IAM grants. */
export function references(checks: readonly CheckSpec[]): { secrets: string[]; parameters: string[] } {
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
  for (const check of checks) visit(check.config);
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
