/** The `aws-backup` source of a `backup:` block: its schema (run time: lib/probes/backup/aws-backup.ts). */
import { z } from "zod";

export const awsBackupConfig = z
  .strictObject({
    vault: z
      .string({ error: "a backup vault name" })
      .min(2)
      .optional()
      .meta({ description: "Backup vault name." }),
    resourceArn: z
      .string({ error: "a resource ARN such as arn:aws:rds:eu-west-1:123456789012:db:prod" })
      .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, {
        error: "a resource ARN such as arn:aws:rds:eu-west-1:123456789012:db:prod",
      })
      .optional()
      .meta({ description: "The protected resource's ARN." }),
  })
  .refine((cfg) => cfg.vault !== undefined || cfg.resourceArn !== undefined, {
    error: "a vault, a resourceArn, or both",
  });

export type AwsBackupConfig = z.output<typeof awsBackupConfig>;
