/**
 * The ping function's configuration: one typed object the construct writes into one environment
 * variable and the ping handler parses (as the probe function's, lib/deploy/function-config.ts).
 */

export const PING_CONFIG_ENV = "WATCHPOST_PING_CONFIG";

export interface PingConfig {
  /** The state table, where the pings are recorded. */
  stateTable: string;
  /** The Secrets Manager secret whose string is the heartbeat key the tokens derive from. */
  keySecretArn: string;
  /** The heartbeat checks; `token` is a check's own token reference, when it names one. */
  checks: { name: string; token?: string }[];
}

export class PingConfigError extends Error {
  override name = "PingConfigError";
}

export function parsePingConfig(env: Record<string, string | undefined>): PingConfig {
  const text = env[PING_CONFIG_ENV];
  const fail = (what: string): never => {
    throw new PingConfigError(`${PING_CONFIG_ENV} ${what}`);
  };
  if (!text) return fail("is not set; the construct sets it");
  let value: Partial<PingConfig>;
  try {
    value = JSON.parse(text) as Partial<PingConfig>;
  } catch (error) {
    return fail(`is not JSON: ${(error as Error).message}`);
  }
  if (typeof value.stateTable !== "string" || !value.stateTable) fail("expects stateTable, a table name");
  if (typeof value.keySecretArn !== "string" || !value.keySecretArn)
    fail("expects keySecretArn, a secret ARN");
  if (
    !Array.isArray(value.checks) ||
    !value.checks.every(
      (c) => typeof c?.name === "string" && (c.token === undefined || typeof c.token === "string"),
    )
  )
    fail("expects checks, a list of { name, token? }");
  return value as PingConfig;
}
