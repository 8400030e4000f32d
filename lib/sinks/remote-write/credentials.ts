/**
 * How a remote-write sink authenticates, whoever holds the credentials: the CLI reads them from
 * files and flags, the probe function from a Secrets Manager secret. One place builds the sink.
 */
import type { JobLabels } from "../../metrics/series.js";
import { RemoteWriteConfigError, RemoteWriteSink } from "./index.js";

export interface RemoteWriteCredentials {
  headers?: Record<string, string>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  /** Sign for Amazon Managed Service for Prometheus in this region, with the default credentials. */
  sigv4Region?: string;
}

/** The sink for `url` with these credentials; the SigV4 signer is loaded only when asked for. */
export async function remoteWriteSink(
  url: string,
  credentials: RemoteWriteCredentials,
  log: (line: string) => void,
  labels?: JobLabels,
): Promise<RemoteWriteSink> {
  let sign: import("./sigv4.js").RequestSigner | undefined;
  if (credentials.sigv4Region) {
    const [{ defaultProvider }, { sigv4Signer }] = await Promise.all([
      import("@aws-sdk/credential-provider-node"),
      import("./sigv4.js"),
    ]);
    sign = sigv4Signer({ region: credentials.sigv4Region, credentials: defaultProvider() });
  }
  return new RemoteWriteSink({
    url,
    ...(credentials.headers ? { headers: credentials.headers } : {}),
    ...(credentials.bearerToken !== undefined ? { bearerToken: credentials.bearerToken } : {}),
    ...(credentials.basicAuth ? { basicAuth: credentials.basicAuth } : {}),
    ...(sign ? { sign } : {}),
    ...(labels ? { labels } : {}),
    log,
  });
}

/**
 * The credentials a secret holds: JSON with `bearerToken`, or `username` and `password`, and optional
 * `headers`. `source` names the secret in errors; the secret's values never appear in them.
 */
export function parseCredentialsSecret(text: string | undefined, source: string): RemoteWriteCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    throw new RemoteWriteConfigError(`${source}: expected JSON with bearerToken, or username and password`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new RemoteWriteConfigError(
      `${source}: expected a JSON object, found ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
    );
  const { bearerToken, username, password, headers, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new RemoteWriteConfigError(
      `${source}: unknown key "${unknown[0]}"; expected bearerToken, username, password or headers`,
    );
  const isString = (v: unknown) => typeof v === "string" && v !== "";
  if (bearerToken !== undefined && !isString(bearerToken))
    throw new RemoteWriteConfigError(`${source}: bearerToken: expected a non-empty string`);
  if ((username !== undefined || password !== undefined) && !(isString(username) && isString(password)))
    throw new RemoteWriteConfigError(`${source}: expected both username and password as non-empty strings`);
  if (
    headers !== undefined &&
    (!headers || typeof headers !== "object" || Object.values(headers).some((v) => typeof v !== "string"))
  )
    throw new RemoteWriteConfigError(`${source}: headers: expected an object of string values`);
  return {
    ...(headers ? { headers: headers as Record<string, string> } : {}),
    ...(bearerToken !== undefined ? { bearerToken: bearerToken as string } : {}),
    ...(username !== undefined
      ? { basicAuth: { username: username as string, password: password as string } }
      : {}),
  };
}
