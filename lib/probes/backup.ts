/**
 * The `backup` kind: is the newest successful backup young enough? Age is now minus the newest
 * good artifact's time. `down` when too old or when there is none; `unknown` when the probe could
 * not tell (access denied, throttled, an API error): a monitor that cannot see must not say stale.
 */
import type { Condition, Observation } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { awsBackupSource } from "./backup/aws-backup.js";
import { dynamodbSource } from "./backup/dynamodb.js";
import { rdsSource } from "./backup/rds.js";
import { s3Source } from "./backup/s3.js";
import { AwsCallError, BACKUP_SOURCES, type BackupSource, type Lookup } from "./backup/source.js";
import type { BackupConfig } from "./config/backup.js";
import { defineProbe, type Permission } from "./probe.js";

const SOURCES = {
  awsBackup: awsBackupSource as BackupSource<unknown>,
  s3: s3Source as BackupSource<unknown>,
  rds: rdsSource as BackupSource<unknown>,
  dynamodb: dynamodbSource as BackupSource<unknown>,
} as const satisfies Record<(typeof BACKUP_SOURCES)[number], BackupSource<unknown>>;
type SourceName = keyof typeof SOURCES;

/** AWS answers that are a definite "there is nothing", not "could not tell". */
const NOT_FOUND = new Set([
  "NoSuchBucket",
  "ResourceNotFoundException",
  "TableNotFoundException",
  "DBClusterNotFoundFault",
  "DBInstanceNotFound",
  "DBInstanceNotFoundFault",
]);

function sourceOf(cfg: BackupConfig): { name: SourceName; source: BackupSource<unknown>; settings: unknown } {
  const name = BACKUP_SOURCES.find((n) => cfg[n] !== undefined) as SourceName;
  return { name, source: SOURCES[name], settings: cfg[name] };
}

function targetOf(cfg: BackupConfig) {
  return { ...(cfg.region ? { region: cfg.region } : {}), ...(cfg.roleArn ? { roleArn: cfg.roleArn } : {}) };
}

export const backupProbe = defineProbe<BackupConfig>({
  kind: "backup",
  target: (cfg) => {
    const { source, settings } = sourceOf(cfg);
    return source.target(settings);
  },

  async run(cfg, ctx): Promise<Observation> {
    if (!ctx.aws) {
      return {
        conditions: [{ ok: false, effect: "unknown", text: "no AWS clients were given to the engine" }],
        summary: "",
      };
    }
    const { source, settings } = sourceOf(cfg);
    const now = new Date();
    ctx.stage(`reading ${source.target(settings)}`);
    let lookup: Lookup;
    try {
      lookup = await source.find(settings, ctx.aws, targetOf(cfg), {
        maxAgeMs: cfg.maxAge,
        now,
        signal: ctx.signal,
      });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { conditions: [awsFailure(error, source.target(settings))], summary: "" };
    }
    return verdict(cfg, lookup, now);
  },

  permissions(cfg, scope): Permission[] {
    if (cfg.roleArn) {
      return [{ actions: ["sts:AssumeRole"], resources: [cfg.roleArn] }];
    }
    const { source, settings } = sourceOf(cfg);
    return source.permissions(settings, { ...scope, region: cfg.region ?? scope.region });
  },
});

function awsFailure(error: unknown, target: string): Condition {
  if (error instanceof AwsCallError) {
    if (NOT_FOUND.has(error.code)) {
      return {
        ok: false,
        effect: "fail",
        text: `${target} does not exist (${error.code} on ${error.action})`,
      };
    }
    return {
      ok: false,
      effect: "unknown",
      text: `${error.code} on ${error.action}${error.status ? ` (HTTP ${error.status})` : ""}: ${error.message}`,
    };
  }
  return {
    ok: false,
    effect: "unknown",
    text: `could not read ${target}: ${(error as Error)?.message ?? String(error)}`,
  };
}

function verdict(cfg: BackupConfig, lookup: Lookup, now: Date): Observation {
  const note = lookup.incomplete ? ` (${lookup.incomplete})` : "";
  const newest = lookup.newest;
  if (!newest) {
    // An incomplete listing that found nothing cannot say there is nothing.
    const effect = lookup.incomplete ? "unknown" : "fail";
    return { conditions: [{ ok: false, effect, text: `no ${lookup.subject}${note}` }], summary: "" };
  }
  const ageMs = Math.max(0, now.getTime() - newest.takenAt.getTime());
  const age = formatSpan(ageMs);
  const facts = {
    backup: {
      identifier: newest.identifier,
      newestAt: newest.takenAt.toISOString(),
      ageSeconds: Math.round(ageMs / 1000),
      ...(newest.sizeBytes !== undefined ? { sizeBytes: newest.sizeBytes } : {}),
    },
  };
  const named = `newest ${lookup.subject} is ${age} old${newest.identifier && !lookup.subject.includes(newest.identifier) ? ` (${newest.identifier})` : ""}`;
  const conditions: Condition[] = [];
  if (ageMs > cfg.maxAge) {
    // Too old, but a newer one may lie beyond what was listed: then we cannot tell.
    conditions.push({
      ok: false,
      effect: lookup.incomplete ? "unknown" : "fail",
      text: `${named}, allowed ${formatDuration(cfg.maxAge)}${note}`,
    });
  } else if (cfg.degradedAge !== undefined && ageMs > cfg.degradedAge) {
    conditions.push({
      ok: false,
      effect: "degrade",
      text: `${named}, expected under ${formatDuration(cfg.degradedAge)}${note}`,
    });
  } else {
    conditions.push({ ok: true, effect: "fail", text: `${named}${note}` });
  }
  return { conditions, summary: `${named}${note}`, facts };
}
