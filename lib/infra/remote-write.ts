/** Prometheus remote-write from the probe function: its credentials and its part of the function's configuration. */
import { Aws } from "aws-cdk-lib";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { FunctionConfig } from "../deploy/function-config.js";
import type { WatchpostRemoteWrite } from "./props.js";

/**
 * The Amazon Managed Service for Prometheus workspace a remote-write URL names
 * (`https://aps-workspaces.REGION.amazonaws.com/workspaces/ws-…/api/v1/remote_write`), as an ARN in
 * the deploying account; undefined when the URL names none.
 */
export function ampWorkspaceArn(url: string, region: string): string | undefined {
  const id = /\/workspaces\/(ws-[A-Za-z0-9-]+)\//.exec(url)?.[1];
  return id ? `arn:${Aws.PARTITION}:aps:${region}:${Aws.ACCOUNT_ID}:workspace/${id}` : undefined;
}

/** The credentials, given as a secret or imported from its ARN; undefined without credentials. */
export function remoteWriteSecret(
  scope: Construct,
  remoteWrite: WatchpostRemoteWrite | undefined,
): secretsmanager.ISecret | undefined {
  if (remoteWrite?.credentials) return remoteWrite.credentials;
  return remoteWrite?.credentialsSecretArn
    ? secretsmanager.Secret.fromSecretCompleteArn(
        scope,
        "RemoteWriteSecret",
        remoteWrite.credentialsSecretArn,
      )
    : undefined;
}

export function remoteWriteConfig(
  remoteWrite: WatchpostRemoteWrite,
  secret: secretsmanager.ISecret | undefined,
): NonNullable<FunctionConfig["remoteWrite"]> {
  return {
    url: remoteWrite.url,
    ...(secret ? { secretArn: secret.secretArn } : {}),
    // The workspace's region, from its ARN (arn:PARTITION:aps:REGION:…).
    ...(remoteWrite.ampWorkspaceArn
      ? { sigv4Region: remoteWrite.ampWorkspaceArn.split(":")[3] as string }
      : {}),
    ...(remoteWrite.job !== undefined ? { job: remoteWrite.job } : {}),
    ...(remoteWrite.instance !== undefined ? { instance: remoteWrite.instance } : {}),
  };
}
