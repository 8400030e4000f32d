/** AWS Backup, RDS and DynamoDB backup checks through aws-sdk-client-mock: pages, statuses, errors. */
import {
  BackupClient,
  ListRecoveryPointsByBackupVaultCommand,
  ListRecoveryPointsByResourceCommand,
} from "@aws-sdk/client-backup";
import {
  DescribeContinuousBackupsCommand,
  DynamoDBClient,
  ListBackupsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../lib/aws/clients.js";
import { runChecks } from "../../../../lib/engine.js";
import { PROBES } from "../../../../lib/probes/index.js";
import { ANY_SCOPE } from "../../../../lib/probes/probe.js";
import { check } from "../../../support/checks.js";

const backup = mockClient(BackupClient);
const rds = mockClient(RDSClient);
const dynamodb = mockClient(DynamoDBClient);
afterEach(() => {
  backup.reset();
  rds.reset();
  dynamodb.reset();
});

const clients: AwsClients = {
  s3: () => {
    throw new Error("not in these tests");
  },
  backup: () => new BackupClient({ region: "eu-west-1" }),
  rds: () => new RDSClient({ region: "eu-west-1" }),
  dynamodb: () => new DynamoDBClient({ region: "eu-west-1" }),
};

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
const ARN = "arn:aws:rds:eu-west-1:123456789012:db:db-prod";

async function run(config: Record<string, unknown>) {
  const [result] = await runChecks([check({ name: "b", backup: { maxAge: "26h", ...config } })], {
    aws: clients,
  });
  if (!result) throw new Error("no result");
  return result;
}

function awsError(name: string, status: number, message = `${name} happened`) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe("backup: AWS Backup", () => {
  it("finds the newest COMPLETED recovery point across pages", async () => {
    backup
      .on(ListRecoveryPointsByResourceCommand)
      .resolvesOnce({
        RecoveryPoints: [
          { RecoveryPointArn: "rp-old", Status: "COMPLETED", CreationDate: ago(50), BackupSizeBytes: 10 },
          { RecoveryPointArn: "rp-partial", Status: "PARTIAL", CreationDate: ago(1) },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        RecoveryPoints: [
          { RecoveryPointArn: "rp-new", Status: "COMPLETED", CreationDate: ago(31), BackupSizeBytes: 2048 },
        ],
      });
    const result = await run({ awsBackup: { resourceArn: ARN } });
    expect(result).toMatchObject({
      status: "down",
      reason: "newest recovery point for db-prod is 31h old (rp-new), allowed 26h",
    });
    expect(result.facts?.backup).toMatchObject({ identifier: "rp-new", sizeBytes: 2048 });
    const calls = backup.commandCalls(ListRecoveryPointsByResourceCommand);
    // The SDK's paginator reuses one input object, so only the last token is visible on each call.
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.NextToken).toBe("page-2");
    expect(calls[0]?.args[0].input.MaxResults).toBeGreaterThanOrEqual(20);
  });

  it("reads a vault, and keeps to the vault when both are given", async () => {
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [
        { RecoveryPointArn: "rp-1", Status: "COMPLETED", CreationDate: ago(3), BackupSizeInBytes: 99 },
      ],
    });
    expect(await run({ awsBackup: { vault: "prod" } })).toMatchObject({
      status: "up",
      reason: "newest recovery point for vault prod is 3h old (rp-1)",
      facts: { backup: { sizeBytes: 99 } },
    });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: "rp-other-vault",
          Status: "COMPLETED",
          CreationDate: ago(1),
          BackupVaultName: "dev",
        },
        { RecoveryPointArn: "rp-prod", Status: "COMPLETED", CreationDate: ago(40), BackupVaultName: "prod" },
      ],
    });
    expect((await run({ awsBackup: { vault: "prod", resourceArn: ARN } })).reason).toBe(
      "newest recovery point for db-prod in vault prod is 40h old (rp-prod), allowed 26h",
    );
  });

  it("is down when there is no completed point, unknown when access is denied or throttled", async () => {
    backup
      .on(ListRecoveryPointsByResourceCommand)
      .resolves({ RecoveryPoints: [{ Status: "EXPIRED", CreationDate: ago(1) }] });
    expect(await run({ awsBackup: { resourceArn: ARN } })).toMatchObject({
      status: "down",
      reason: "no recovery point for db-prod",
    });
    backup
      .on(ListRecoveryPointsByResourceCommand)
      .rejects(awsError("AccessDeniedException", 403, "not authorized"));
    expect(await run({ awsBackup: { resourceArn: ARN } })).toMatchObject({
      status: "unknown",
      reason: "AccessDeniedException on backup:ListRecoveryPointsByResource (HTTP 403): not authorized",
    });
    backup
      .on(ListRecoveryPointsByResourceCommand)
      .rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    expect((await run({ awsBackup: { resourceArn: ARN } })).status).toBe("unknown");
  });
});

describe("backup: RDS", () => {
  it("takes the newest available snapshot, automated or manual, across pages", async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [
          {
            DBSnapshotIdentifier: "rds:db-prod-auto",
            Status: "available",
            SnapshotCreateTime: ago(20),
            AllocatedStorage: 20,
            SnapshotType: "automated",
          },
          { DBSnapshotIdentifier: "creating", Status: "creating", SnapshotCreateTime: ago(0.5) },
        ],
        Marker: "m2",
      })
      .resolvesOnce({
        DBSnapshots: [
          {
            DBSnapshotIdentifier: "manual-1",
            Status: "available",
            SnapshotCreateTime: ago(5),
            SnapshotType: "manual",
          },
        ],
      });
    expect(await run({ rds: { instance: "db-prod" } })).toMatchObject({
      status: "up",
      reason: "newest snapshot of db-prod is 5h old (manual-1)",
    });
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(2);
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)[1]?.args[0].input.Marker).toBe("m2");
  });

  it("reads cluster snapshots, and is unknown on access denied", async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        {
          DBClusterSnapshotIdentifier: "c-1",
          Status: "available",
          SnapshotCreateTime: ago(30),
          AllocatedStorage: 1,
        },
      ],
    });
    expect(await run({ rds: { cluster: "aurora-prod" } })).toMatchObject({
      status: "down",
      reason: "newest snapshot of cluster aurora-prod is 30h old (c-1), allowed 26h",
      facts: { backup: { sizeBytes: 1_073_741_824 } },
    });
    rds.on(DescribeDBSnapshotsCommand).rejects(awsError("AccessDenied", 403, "User is not authorized"));
    expect(await run({ rds: { instance: "db-prod" } })).toMatchObject({
      status: "unknown",
      reason: "AccessDenied on rds:DescribeDBSnapshots (HTTP 403): User is not authorized",
    });
  });
});

describe("backup: DynamoDB", () => {
  it("uses point-in-time recovery when it is on", async () => {
    dynamodb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: {
          PointInTimeRecoveryStatus: "ENABLED",
          LatestRestorableDateTime: ago(0.1),
        },
      },
    });
    expect(await run({ dynamodb: { table: "orders" } })).toMatchObject({
      status: "up",
      reason: expect.stringMatching(
        /^newest point-in-time recovery of orders is \d+[sm] old \(orders \(point-in-time recovery\)\)$/,
      ),
    });
    expect(dynamodb.commandCalls(ListBackupsCommand)).toHaveLength(0);
  });

  it("falls back to the newest available on-demand backup, across pages", async () => {
    dynamodb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" },
      },
    });
    dynamodb
      .on(ListBackupsCommand)
      .resolvesOnce({
        BackupSummaries: [
          {
            BackupArn: "b-1",
            BackupStatus: "AVAILABLE",
            BackupCreationDateTime: ago(48),
            BackupSizeBytes: 5,
          },
        ],
        LastEvaluatedBackupArn: "b-1",
      })
      .resolvesOnce({
        BackupSummaries: [
          { BackupArn: "b-2", BackupStatus: "AVAILABLE", BackupCreationDateTime: ago(30) },
          { BackupArn: "b-3", BackupStatus: "CREATING", BackupCreationDateTime: ago(1) },
        ],
      });
    expect(await run({ dynamodb: { table: "orders" } })).toMatchObject({
      status: "down",
      reason: "newest backup of orders (point-in-time recovery is off) is 30h old (b-2), allowed 26h",
    });
    expect(
      dynamodb.commandCalls(ListBackupsCommand).map((c) => c.args[0].input.ExclusiveStartBackupArn),
    ).toEqual([undefined, "b-1"]);
  });

  it("is down for a table that does not exist, unknown when throttled", async () => {
    dynamodb
      .on(DescribeContinuousBackupsCommand)
      .rejects(awsError("TableNotFoundException", 400, "Table not found"));
    expect(await run({ dynamodb: { table: "gone" } })).toMatchObject({
      status: "down",
      reason: "dynamodb:gone does not exist (TableNotFoundException on dynamodb:DescribeContinuousBackups)",
    });
    dynamodb
      .on(DescribeContinuousBackupsCommand)
      .rejects(awsError("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput"));
    expect(await run({ dynamodb: { table: "orders" } })).toMatchObject({
      status: "unknown",
      reason:
        "ThrottlingException on dynamodb:DescribeContinuousBackups (HTTP 400): Rate of requests exceeds the allowed throughput",
    });
  });
});

describe("backup: least privilege", () => {
  const permissions = (config: Record<string, unknown>) =>
    PROBES.backup.permissions?.(check({ backup: { maxAge: "1d", ...config } }).config as never, ANY_SCOPE);

  it("declares exactly the actions and resources each source needs", () => {
    expect(permissions({ region: "eu-west-1", awsBackup: { vault: "prod" } })).toEqual([
      {
        actions: ["backup:ListRecoveryPointsByBackupVault"],
        resources: ["arn:aws:backup:eu-west-1:*:backup-vault:prod"],
      },
    ]);
    expect(permissions({ awsBackup: { resourceArn: ARN } })).toEqual([
      {
        actions: ["backup:ListRecoveryPointsByResource"],
        resources: ["*"],
        reason: "backup:ListRecoveryPointsByResource supports no resource-level permissions",
      },
    ]);
    expect(permissions({ rds: { instance: "db-prod" } })).toEqual([
      {
        actions: ["rds:DescribeDBSnapshots"],
        resources: ["arn:aws:rds:*:*:db:db-prod", "arn:aws:rds:*:*:snapshot:*"],
        reason: "snapshot names are not known in advance",
      },
    ]);
    expect(permissions({ dynamodb: { table: "orders" } })?.map((p) => p.actions[0])).toEqual([
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:ListBackups",
    ]);
    expect(
      permissions({ roleArn: "arn:aws:iam::123456789012:role/backup-reader", rds: { instance: "x" } }),
    ).toEqual([{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::123456789012:role/backup-reader"] }]);
  });
});
