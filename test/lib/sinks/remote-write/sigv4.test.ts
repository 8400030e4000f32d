import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sigv4Signer } from "../../../../lib/sinks/remote-write/sigv4.js";

/** SigV4 written out from AWS's specification, independently of @smithy/signature-v4. */
function referenceSignature(
  secret: string,
  region: string,
  service: string,
  method: string,
  url: URL,
  headers: Record<string, string>,
  signedHeaders: string[],
  body: Uint8Array,
): string {
  const amzDate = headers["x-amz-date"] as string;
  const day = amzDate.slice(0, 8);
  const hash = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${String(headers[name]).trim()}\n`).join("");
  const canonicalRequest = [
    method,
    url.pathname,
    "",
    canonicalHeaders,
    signedHeaders.join(";"),
    headers["x-amz-content-sha256"] ?? hash(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hash(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

describe("SigV4 for Amazon Managed Service for Prometheus", () => {
  it("produces the signature the specification gives for the request", async () => {
    const credentials = {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "token-123",
    };
    const sign = sigv4Signer({ region: "eu-west-1", credentials });
    const url = new URL(
      "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write",
    );
    const body = new TextEncoder().encode("snappy bytes");
    const headers = await sign(
      url,
      {
        "content-encoding": "snappy",
        "content-type": "application/x-protobuf",
        "x-prometheus-remote-write-version": "0.1.0",
        "user-agent": "watchpost/0.1.0",
      },
      body,
      new Date("2026-11-22T01:02:03Z"),
    );
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower["x-amz-date"]).toBe("20261122T010203Z");
    expect(lower["x-amz-security-token"]).toBe("token-123");
    expect(lower.host).toBe("aps-workspaces.eu-west-1.amazonaws.com");
    const match =
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261122\/eu-west-1\/aps\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        lower.authorization ?? "",
      );
    expect(match, lower.authorization).not.toBeNull();
    const signed = String(match?.[1]).split(";");
    expect(signed).toEqual(
      expect.arrayContaining([
        "content-encoding",
        "content-type",
        "host",
        "x-amz-date",
        "x-amz-security-token",
        "x-prometheus-remote-write-version",
      ]),
    );
    expect(match?.[2]).toBe(
      referenceSignature(
        credentials.secretAccessKey,
        "eu-west-1",
        "aps",
        "POST",
        url,
        lower as Record<string, string>,
        signed,
        body,
      ),
    );
  });

  it("takes credentials from a provider, as the default chain gives them", async () => {
    let calls = 0;
    const sign = sigv4Signer({
      region: "us-east-1",
      credentials: async () => {
        calls++;
        return { accessKeyId: "AKID", secretAccessKey: "secret" };
      },
    });
    const headers = await sign(
      new URL("https://example.com/w"),
      {},
      new Uint8Array(),
      new Date("2026-01-01T00:00:00Z"),
    );
    expect(calls).toBe(1);
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/20260101\/us-east-1\/aps\/aws4_request/,
    );
  });
});
