/**
 * The `backup` kind: is the newest successful backup young enough? Age is now minus the newest
 * good artifact's time. `down` when too old or when there is none; `unknown` when the probe could
 * not tell (access denied, throttled, an API error): a monitor that cannot see must not say stale.
 */
import { z } from "zod";
import { duration } from "../checks/fields.js";
import type { Condition, Observation } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { type AwsBackupConfig, awsBackupConfig, awsBackupSource } from "./backup/aws-backup.js";
import { type DynamoDbConfig, dynamodbConfig, dynamodbSource } from "./backup/dynamodb.js";
import { type RdsConfig, rdsConfig, rdsSource } from "./backup/rds.js";
import { type S3Config, s3Config, s3Source } from "./backup/s3.js";
import { AwsCallError, type BackupSource, type Lookup } from "./backup/source.js";
import { defineProbe, type Permission } from "./probe.js";

const SOURCES = {
  awsBackup: { schema: awsBackupConfig, source: awsBackupSource as BackupSource<AwsBackupConfig> },
  s3: { schema: s3Config, source: s3Source as BackupSource<S3Config> },
  rds: { schema: rdsConfig, source: rdsSource as BackupSource<RdsConfig> },
  dynamodb: { schema: dynamodbConfig, source: dynamodbSource as BackupSource<DynamoDbConfig> },
} as const;
type SourceName = keyof typeof SOURCES;
const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];

/** AWS answers that are a definite "there is nothing", not "could not tell". */
const NOT_FOUND = new Set([
  "NoSuchBucket",
  "ResourceNotFoundException",
  "TableNotFoundException",
  "DBClusterNotFoundFault",
  "DBInstanceNotFound",
  "DBInstanceNotFoundFault",
]);

const config = z
  .strictObject({
    maxAge: duration.meta({
      description: "Down when the newest backup is older than this (or there is none).",
    }),
    degradedAge: duration
      .optional()
      .meta({ description: "Degraded when older than this; less than maxAge." }),
    region: z
      .string({ error: "an AWS region such as eu-west-1" })
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "an AWS region such as eu-west-1" })
      .optional()
      .meta({ description: "Region of the backups. Default: the monitor's own." }),
    roleArn: z
      .string({ error: "an IAM role ARN" })
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
        error: "an IAM role ARN such as arn:aws:iam::123456789012:role/backup-reader",
      })
      .optional()
      .meta({ description: "A role to assume for reading, e.g. in a central backup account." }),
    awsBackup: SOURCES.awsBackup.schema.optional().meta({ description: "AWS Backup recovery points." }),
    s3: SOURCES.s3.schema.optional().meta({ description: "Objects in S3." }),
    rds: SOURCES.rds.schema.optional().meta({ description: "RDS snapshots." }),
    dynamodb: SOURCES.dynamodb.schema
      .optional()
      .meta({ description: "DynamoDB point-in-time recovery or backups." }),
  })
  .superRefine((cfg, ctx) => {
    const given = SOURCE_NAMES.filter((name) => cfg[name] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `exactly one source (${SOURCE_NAMES.join(", ")}), found ${given.length === 0 ? "none" : given.join(" and ")}`,
      });
    }
    if (cfg.degradedAge !== undefined && cfg.degradedAge >= cfg.maxAge) {
      ctx.addIssue({
        code: "custom",
        path: ["degradedAge"],
        message: `a degradedAge below maxAge (${formatDuration(cfg.maxAge)})`,
      });
    }
  });

export type BackupConfig = z.output<typeof config>;

function sourceOf(cfg: BackupConfig): { name: SourceName; source: BackupSource<unknown>; settings: unknown } {
  const name = SOURCE_NAMES.find((n) => cfg[n] !== undefined) as SourceName;
  return { name, source: SOURCES[name].source as BackupSource<unknown>, settings: cfg[name] };
}

function targetOf(cfg: BackupConfig) {
  return { ...(cfg.region ? { region: cfg.region } : {}), ...(cfg.roleArn ? { roleArn: cfg.roleArn } : {}) };
}

export const backupProbe = defineProbe({
  kind: "backup",
  config,
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
