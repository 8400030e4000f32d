/**
 * `${secret:ID}` (Secrets Manager) and `${ssm:NAME}` (Parameter Store) in the deployed monitor:
 * fetched when a check runs, kept for a while in a warm container, never logged.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { envResolver, ReferenceResolutionError, type Resolvers } from "../checks/references.js";

export interface AwsReferenceOptions {
  secrets: Pick<SecretsManagerClient, "send">;
  ssm: Pick<SSMClient, "send">;
  /** How long a value is reused. Default 5 minutes. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * One read's longest wait. A value is shared by every check that references it, so no one check's
 * signal may cancel it; the check's own timeout still bounds what that check waits.
 */
const REFERENCE_TIMEOUT_MS = 10_000;

export function awsResolvers(options: AwsReferenceOptions): Resolvers {
  const ttl = options.ttlMs ?? 300_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<string>; expires: number }>();
  const cached = (key: string, fetch: () => Promise<string>): Promise<string> => {
    const hit = cache.get(key);
    if (hit && hit.expires > now()) return hit.value;
    const value = fetch();
    cache.set(key, { value, expires: now() + ttl });
    // A failure is not kept: the next run asks again.
    value.catch(() => cache.delete(key));
    return value;
  };
  const failed = (reference: string, error: unknown) =>
    new ReferenceResolutionError(
      `${reference} could not be read: ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error },
    );
  return {
    env: envResolver,
    secret: (id) =>
      cached(`secret:${id}`, async () => {
        try {
          const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
          const response = await options.secrets.send(new GetSecretValueCommand({ SecretId: id }), {
            abortSignal: AbortSignal.timeout(REFERENCE_TIMEOUT_MS),
          });
          if (response.SecretString === undefined) throw new Error("the secret has no string value");
          return response.SecretString;
        } catch (error) {
          throw failed(`\${secret:${id}}`, error);
        }
      }),
    ssm: (name) =>
      cached(`ssm:${name}`, async () => {
        try {
          const { GetParameterCommand } = await import("@aws-sdk/client-ssm");
          const response = await options.ssm.send(
            new GetParameterCommand({ Name: name, WithDecryption: true }),
            { abortSignal: AbortSignal.timeout(REFERENCE_TIMEOUT_MS) },
          );
          return response.Parameter?.Value ?? "";
        } catch (error) {
          throw failed(`\${ssm:${name}}`, error);
        }
      }),
  };
}
