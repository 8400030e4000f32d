/**
 * AWS clients for the probes that read AWS APIs (backup checks), made by whoever runs the engine
 * (the CLI, the Lambda handler) and injected: the engine never constructs one itself. Clients honour
 * the SDK's standard settings (credentials chain, AWS_REGION, AWS_ENDPOINT_URL_S3 …), so a local S3
 * works with no code change; `roleArn` assumes a role, for a central backup account.
 */
import type { BackupClient } from "@aws-sdk/client-backup";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { S3Client } from "@aws-sdk/client-s3";
import { sdkProxy } from "./proxy-agents.js";

export interface AwsTarget {
  region?: string;
  roleArn?: string;
}

/** Each getter may answer at once or after loading the SDK module on first use. */
export interface AwsClients {
  s3(target: AwsTarget): S3Client | Promise<S3Client>;
  backup(target: AwsTarget): BackupClient | Promise<BackupClient>;
  rds(target: AwsTarget): RDSClient | Promise<RDSClient>;
  dynamodb(target: AwsTarget): DynamoDBClient | Promise<DynamoDBClient>;
}

type Constructor<T> = new (config: Record<string, unknown>) => T;

/**
 * One client per service, region and role, made on first use; the SDK modules too are loaded only
 * then, so a function without backup checks never pays for them at cold start.
 */
export function defaultAwsClients(): AwsClients {
  const cache = new Map<string, Promise<unknown>>();
  const make = <T>(service: string, load: () => Promise<Constructor<T>>, target: AwsTarget): Promise<T> => {
    const key = `${service}|${target.region ?? ""}|${target.roleArn ?? ""}`;
    let client = cache.get(key) as Promise<T> | undefined;
    if (!client) {
      client = (async () => {
        const [Client, credentials] = await Promise.all([
          load(),
          target.roleArn ? assumed(target.roleArn) : undefined,
        ]);
        return new Client({
          ...(target.region ? { region: target.region } : {}),
          ...(credentials ? { credentials } : {}),
          ...sdkProxy(),
        });
      })();
      cache.set(key, client);
    }
    return client;
  };
  return {
    s3: (target) =>
      make("s3", async () => (await import("@aws-sdk/client-s3")).S3Client as Constructor<S3Client>, target),
    backup: (target) =>
      make(
        "backup",
        async () => (await import("@aws-sdk/client-backup")).BackupClient as Constructor<BackupClient>,
        target,
      ),
    rds: (target) =>
      make(
        "rds",
        async () => (await import("@aws-sdk/client-rds")).RDSClient as Constructor<RDSClient>,
        target,
      ),
    dynamodb: (target) =>
      make(
        "dynamodb",
        async () => (await import("@aws-sdk/client-dynamodb")).DynamoDBClient as Constructor<DynamoDBClient>,
        target,
      ),
  };
}

async function assumed(roleArn: string) {
  const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: "watchpost" },
    clientConfig: sdkProxy(),
  });
}
