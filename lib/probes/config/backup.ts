/** The `backup:` block of a check file: its schema (the probe's run time is lib/probes/backup.ts). */
import { z } from "zod";
import { duration } from "../../checks/fields.js";
import { formatDuration } from "../../units.js";
import { BACKUP_SOURCES } from "../backup/source.js";
import { awsBackupConfig } from "./backup/aws-backup.js";
import { dynamodbConfig } from "./backup/dynamodb.js";
import { rdsConfig } from "./backup/rds.js";
import { s3Config } from "./backup/s3.js";

const SOURCE_NAMES = BACKUP_SOURCES;

export const backupConfig = z
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
    awsBackup: awsBackupConfig.optional().meta({ description: "AWS Backup recovery points." }),
    s3: s3Config.optional().meta({ description: "Objects in S3." }),
    rds: rdsConfig.optional().meta({ description: "RDS snapshots." }),
    dynamodb: dynamodbConfig.optional().meta({ description: "DynamoDB point-in-time recovery or backups." }),
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

export type BackupConfig = z.output<typeof backupConfig>;
