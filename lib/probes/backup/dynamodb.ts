/**
 * DynamoDB: with point-in-time recovery on, its latest restorable time; otherwise the newest
 * AVAILABLE on-demand backup.
 */
import type { DynamoDbConfig } from "../config/backup/dynamodb.js";
import { arn, type BackupSource, call, type Lookup } from "./source.js";

export const dynamodbSource: BackupSource<DynamoDbConfig> = {
  target: (cfg) => `dynamodb:${cfg.table}`,

  async find(cfg, clients, target, { signal }): Promise<Lookup> {
    const client = await clients.dynamodb(target);
    const { DescribeContinuousBackupsCommand, ListBackupsCommand } = await import("@aws-sdk/client-dynamodb");
    const continuous = await call("dynamodb:DescribeContinuousBackups", () =>
      client.send(new DescribeContinuousBackupsCommand({ TableName: cfg.table }), { abortSignal: signal }),
    );
    const pitr = continuous.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    if (pitr?.PointInTimeRecoveryStatus === "ENABLED" && pitr.LatestRestorableDateTime) {
      return {
        subject: `point-in-time recovery of ${cfg.table}`,
        newest: {
          identifier: `${cfg.table} (point-in-time recovery)`,
          takenAt: pitr.LatestRestorableDateTime,
        },
      };
    }
    let newest: Lookup["newest"];
    let start: string | undefined;
    do {
      const page = await call("dynamodb:ListBackups", () =>
        client.send(
          new ListBackupsCommand({
            TableName: cfg.table,
            ...(start ? { ExclusiveStartBackupArn: start } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      for (const backup of page.BackupSummaries ?? []) {
        if (backup.BackupStatus !== "AVAILABLE" || !backup.BackupCreationDateTime) continue;
        if (!newest || backup.BackupCreationDateTime > newest.takenAt) {
          newest = {
            identifier: backup.BackupArn ?? backup.BackupName ?? "",
            takenAt: backup.BackupCreationDateTime,
            ...(backup.BackupSizeBytes !== undefined ? { sizeBytes: backup.BackupSizeBytes } : {}),
          };
        }
      }
      start = page.LastEvaluatedBackupArn;
      if (signal.aborted) throw signal.reason;
    } while (start);
    const subject = `backup of ${cfg.table} (point-in-time recovery is off)`;
    return newest ? { subject, newest } : { subject };
  },

  permissions(cfg, scope) {
    return [
      {
        actions: ["dynamodb:DescribeContinuousBackups"],
        resources: [arn(scope, "dynamodb", `table/${cfg.table}`)],
      },
      {
        actions: ["dynamodb:ListBackups"],
        resources: ["*"],
        reason: "dynamodb:ListBackups supports no resource-level permissions",
      },
    ];
  },
};
