/** RDS: the newest `available` snapshot (automated or manual) of an instance or a cluster. */
import type { RdsConfig } from "../config/backup/rds.js";
import { arn, type BackupSource, call, type Lookup } from "./source.js";

const GiB = 1_073_741_824;

export const rdsSource: BackupSource<RdsConfig> = {
  target: (cfg) => (cfg.instance ? `rds:${cfg.instance}` : `rds-cluster:${cfg.cluster}`),

  async find(cfg, clients, target, { signal }): Promise<Lookup> {
    const client = await clients.rds(target);
    const { paginateDescribeDBClusterSnapshots, paginateDescribeDBSnapshots } = await import(
      "@aws-sdk/client-rds"
    );
    let newest: { identifier: string; takenAt: Date; sizeBytes?: number } | undefined;
    const consider = (
      identifier: string | undefined,
      status: string | undefined,
      created: Date | undefined,
      gib: number | undefined,
    ) => {
      if (status !== "available" || !created) return;
      if (!newest || created > newest.takenAt) {
        newest = {
          identifier: identifier ?? "",
          takenAt: created,
          ...(gib !== undefined ? { sizeBytes: gib * GiB } : {}),
        };
      }
    };
    if (cfg.instance) {
      const pages = paginateDescribeDBSnapshots(
        { client, pageSize: 100 },
        { DBInstanceIdentifier: cfg.instance },
        { abortSignal: signal },
      );
      const next = () => call("rds:DescribeDBSnapshots", () => pages.next());
      for (let page = await next(); !page.done; page = await next()) {
        for (const s of page.value.DBSnapshots ?? [])
          consider(s.DBSnapshotIdentifier, s.Status, s.SnapshotCreateTime, s.AllocatedStorage);
        if (signal.aborted) throw signal.reason;
      }
    } else {
      const pages = paginateDescribeDBClusterSnapshots(
        { client, pageSize: 100 },
        { DBClusterIdentifier: cfg.cluster },
        { abortSignal: signal },
      );
      const next = () => call("rds:DescribeDBClusterSnapshots", () => pages.next());
      for (let page = await next(); !page.done; page = await next()) {
        for (const s of page.value.DBClusterSnapshots ?? []) {
          consider(s.DBClusterSnapshotIdentifier, s.Status, s.SnapshotCreateTime, s.AllocatedStorage);
        }
        if (signal.aborted) throw signal.reason;
      }
    }
    const subject = `snapshot of ${cfg.instance ?? `cluster ${cfg.cluster}`}`;
    return newest ? { subject, newest } : { subject };
  },

  permissions(cfg, scope) {
    // Snapshot names are chosen by RDS (automated) and by people (manual): not known at synth.
    return cfg.instance
      ? [
          {
            actions: ["rds:DescribeDBSnapshots"],
            resources: [arn(scope, "rds", `db:${cfg.instance}`), arn(scope, "rds", "snapshot:*")],
            reason: "snapshot names are not known in advance",
          },
        ]
      : [
          {
            actions: ["rds:DescribeDBClusterSnapshots"],
            resources: [arn(scope, "rds", `cluster:${cfg.cluster}`), arn(scope, "rds", "cluster-snapshot:*")],
            reason: "snapshot names are not known in advance",
          },
        ];
  },
};
