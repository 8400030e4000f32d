/**
 * AWS clients for the probes that read AWS APIs (backup checks), made by whoever runs the engine
 * (the CLI, the Lambda handler) and injected: the engine never constructs one itself. Clients honour
 * the SDK's standard settings (credentials chain, AWS_REGION, AWS_ENDPOINT_URL_S3 …), so a local S3
 * works with no code change; `roleArn` assumes a role, for a central backup account.
 */
import { BackupClient } from "@aws-sdk/client-backup";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";

export interface AwsTarget {
  region?: string;
  roleArn?: string;
}

export interface AwsClients {
  s3(target: AwsTarget): S3Client;
  backup(target: AwsTarget): BackupClient;
  rds(target: AwsTarget): RDSClient;
  dynamodb(target: AwsTarget): DynamoDBClient;
}

type Constructor<T> = new (config: Record<string, unknown>) => T;

/** One client per service, region and role, made on first use. */
export function defaultAwsClients(): AwsClients {
  const cache = new Map<string, unknown>();
  const make = <T>(service: string, Client: Constructor<T>, target: AwsTarget): T => {
    const key = `${service}|${target.region ?? ""}|${target.roleArn ?? ""}`;
    let client = cache.get(key) as T | undefined;
    if (!client) {
      client = new Client({
        ...(target.region ? { region: target.region } : {}),
        ...(target.roleArn
          ? {
              credentials: fromTemporaryCredentials({
                params: { RoleArn: target.roleArn, RoleSessionName: "watchpost" },
              }),
            }
          : {}),
      });
      cache.set(key, client);
    }
    return client;
  };
  return {
    s3: (target) => make("s3", S3Client as Constructor<S3Client>, target),
    backup: (target) => make("backup", BackupClient as Constructor<BackupClient>, target),
    rds: (target) => make("rds", RDSClient as Constructor<RDSClient>, target),
    dynamodb: (target) => make("dynamodb", DynamoDBClient as Constructor<DynamoDBClient>, target),
  };
}
