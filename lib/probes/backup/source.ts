/**
 * What every backup source shares: the artifact found, and AWS errors in words. Sources load their
 * SDK client modules on first use, so the engine (and a Lambda's cold start) does not pay for them
 * when no backup check runs.
 */
import type { AwsClients, AwsTarget } from "../../aws/clients.js";
import type { ArnScope, Permission } from "../probe.js";

/** The sources a backup check may name, exactly one of them. */
export const BACKUP_SOURCES = ["awsBackup", "s3", "rds", "dynamodb"] as const;

export interface Artifact {
  /** The recovery point ARN, S3 key, snapshot or backup name. */
  identifier: string;
  takenAt: Date;
  sizeBytes?: number;
}

export interface Lookup {
  /** What was looked for, for reasons: `recovery point for db-prod`, `object under s3://b/exports/`. */
  subject: string;
  newest?: Artifact;
  /** A limit stopped the search before it saw everything: said in the reason, never silent. */
  incomplete?: string;
}

export interface BackupSource<Config> {
  /** `s3://bucket/prefix`, `rds:db-prod`: the check's target. */
  target(config: Config): string;
  find(
    config: Config,
    clients: AwsClients,
    target: AwsTarget,
    context: { maxAgeMs: number; now: Date; signal: AbortSignal },
  ): Promise<Lookup>;
  /** `scope.region` is already the check's own region when it names one. */
  permissions(config: Config, scope: ArnScope): Permission[];
}

/** An AWS call that failed, with the action it was (`backup:ListRecoveryPointsByResource`). */
export class AwsCallError extends Error {
  override name = "AwsCallError";
  constructor(
    readonly action: string,
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Runs one AWS call, naming its action if it fails. */
export async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const err = error as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
    throw new AwsCallError(
      action,
      err.name || err.Code || "Error",
      err.message,
      err.$metadata?.httpStatusCode,
    );
  }
}

/** The last part of an ARN, for people: `db-prod` from `arn:aws:rds:…:db:db-prod`. */
export function shortName(arn: string): string {
  return arn.split(/[:/]/).filter(Boolean).at(-1) ?? arn;
}

export function arn(scope: ArnScope, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
}
