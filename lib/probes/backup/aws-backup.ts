/** AWS Backup: the newest COMPLETED recovery point of a resource and/or in a vault, all pages read. */
import type { RecoveryPointByBackupVault, RecoveryPointByResource } from "@aws-sdk/client-backup";
import type { AwsBackupConfig } from "../config/backup/aws-backup.js";
import { arn, type BackupSource, call, type Lookup, shortName } from "./source.js";

type Point = RecoveryPointByResource | RecoveryPointByBackupVault;

export const awsBackupSource: BackupSource<AwsBackupConfig> = {
  target: (cfg) => `backup:${cfg.vault ?? "*"}/${cfg.resourceArn ? shortName(cfg.resourceArn) : "*"}`,

  async find(cfg, clients, target, { signal }): Promise<Lookup> {
    const client = await clients.backup(target);
    const { paginateListRecoveryPointsByBackupVault, paginateListRecoveryPointsByResource } = await import(
      "@aws-sdk/client-backup"
    );
    const subject = `recovery point for ${cfg.resourceArn ? shortName(cfg.resourceArn) : `vault ${cfg.vault}`}${cfg.resourceArn && cfg.vault ? ` in vault ${cfg.vault}` : ""}`;
    const pages = cfg.resourceArn
      ? {
          action: "backup:ListRecoveryPointsByResource",
          // RDS needs at least 20 per page.
          iterator: paginateListRecoveryPointsByResource(
            { client, pageSize: 100 },
            { ResourceArn: cfg.resourceArn },
            { abortSignal: signal },
          ),
          points: (page: { RecoveryPoints?: Point[] }) => page.RecoveryPoints ?? [],
        }
      : {
          action: "backup:ListRecoveryPointsByBackupVault",
          iterator: paginateListRecoveryPointsByBackupVault(
            { client, pageSize: 100 },
            { BackupVaultName: cfg.vault },
            { abortSignal: signal },
          ),
          points: (page: { RecoveryPoints?: Point[] }) => page.RecoveryPoints ?? [],
        };
    let newest: Point | undefined;
    const next = () => call(pages.action, () => pages.iterator.next());
    for (let page = await next(); !page.done; page = await next()) {
      for (const point of pages.points(page.value as { RecoveryPoints?: Point[] })) {
        if (point.Status !== "COMPLETED") continue;
        if (cfg.vault && cfg.resourceArn && point.BackupVaultName !== cfg.vault) continue;
        if (!newest || (point.CreationDate?.getTime() ?? 0) > (newest.CreationDate?.getTime() ?? 0))
          newest = point;
      }
      if (signal.aborted) throw signal.reason;
    }
    if (!newest) return { subject };
    // The two list calls name the size differently.
    const size =
      (newest as RecoveryPointByResource).BackupSizeBytes ??
      (newest as RecoveryPointByBackupVault).BackupSizeInBytes;
    return {
      subject,
      newest: {
        identifier: newest.RecoveryPointArn ?? "",
        takenAt: newest.CreationDate ?? new Date(0),
        ...(size !== undefined ? { sizeBytes: size } : {}),
      },
    };
  },

  permissions(cfg, scope) {
    if (cfg.resourceArn) {
      return [
        {
          actions: ["backup:ListRecoveryPointsByResource"],
          resources: ["*"],
          reason: "backup:ListRecoveryPointsByResource supports no resource-level permissions",
        },
      ];
    }
    return [
      {
        actions: ["backup:ListRecoveryPointsByBackupVault"],
        resources: [arn(scope, "backup", `backup-vault:${cfg.vault}`)],
      },
    ];
  },
};
