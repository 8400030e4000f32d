/** SigV4 for Amazon Managed Service for Prometheus (service `aps`), with any credential provider. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface SigV4Options {
  region: string;
  /** The default provider chain in the CLI and in Lambda; fixed credentials in tests. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  service?: string;
}

/** Returns the headers to send: the given ones plus host, x-amz-date, the session token and Authorization. */
export type RequestSigner = (
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  signingDate?: Date,
) => Promise<Record<string, string>>;

export function sigv4Signer(options: SigV4Options): RequestSigner {
  const signer = new SignatureV4({
    service: options.service ?? "aps",
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  return async (url, headers, body, signingDate) => {
    const signed = await signer.sign(
      {
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...headers, host: url.host },
        body,
      },
      signingDate ? { signingDate } : {},
    );
    return signed.headers;
  };
}
