import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { resolveReferences } from "../../../lib/checks/references.js";
import { awsResolvers } from "../../../lib/runtime/references.js";

const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
afterEach(() => {
  secrets.reset();
  ssm.reset();
});

describe("secret and parameter references in the deployed monitor", () => {
  it("resolves, and reuses a value until its TTL passes", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: "prod/api-token" }).resolves({ SecretString: "s3cret" });
    ssm
      .on(GetParameterCommand, { Name: "/team/key", WithDecryption: true })
      .resolves({ Parameter: { Value: "k3y" } });
    let now = 0;
    const resolvers = awsResolvers({
      secrets: new SecretsManagerClient({}),
      ssm: new SSMClient({}),
      ttlMs: 1_000,
      now: () => now,
    });
    const config = {
      headers: { Authorization: "Bearer ${secret:prod/api-token}", "X-Key": "${ssm:/team/key}" },
    };
    expect(await resolveReferences(config, resolvers)).toEqual({
      headers: { Authorization: "Bearer s3cret", "X-Key": "k3y" },
    });
    await resolveReferences(config, resolvers);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1_001;
    await resolveReferences(config, resolvers);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it("names the reference, never a value, when it cannot be read, and asks again next time", async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }))
      .resolves({ SecretString: "later" });
    const resolvers = awsResolvers({ secrets: new SecretsManagerClient({}), ssm: new SSMClient({}) });
    await expect(resolveReferences("${secret:prod/db}", resolvers)).rejects.toThrow(
      "${secret:prod/db} could not be read: AccessDeniedException: not authorized",
    );
    expect(await resolveReferences("${secret:prod/db}", resolvers)).toBe("later");
  });
});
