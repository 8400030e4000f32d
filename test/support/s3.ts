/**
 * s3rver (an S3 implementation) on loopback, and a fast way to fill it with backdated objects.
 * It runs in a child process with OpenSSL's legacy provider: its continuation tokens use DES, which
 * OpenSSL 3 refuses otherwise, so listing past the first page fails with a 500.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { freePort, startPeer } from "./peers.js";

export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  /** Writes an object straight into s3rver's store, with `ageMs` as its LastModified age. */
  seed(bucket: string, key: string, ageMs: number, bytes?: number): Promise<void>;
  close(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "watchpost-s3-"));
  const port = await freePort();
  const bin = createRequire(import.meta.url).resolve("s3rver/bin/s3rver.js");
  const server = await startPeer(
    process.execPath,
    [
      "--openssl-legacy-provider",
      bin,
      "-d",
      directory,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--silent",
      ...buckets.flatMap((name) => ["--configure-bucket", name]),
    ],
    port,
    "/",
    30_000,
    { acceptStatus: (status) => status < 500 },
  );
  const endpoint = server.url;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    client,
    async seed(bucket, key, ageMs, bytes = 16) {
      // s3rver's layout: <bucket>/<key's folders>/<last part>._S3rver_object; LastModified is the mtime.
      const parts = key.split("/");
      const file = path.join(directory, bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
      await mkdir(path.dirname(file), { recursive: true });
      const body = Buffer.alloc(bytes, 0x61);
      await writeFile(file, body);
      // s3rver computes a missing MD5 on listing, opening every file of a page at once.
      await writeFile(`${file}.md5`, createHash("md5").update(body).digest("hex"));
      const when = new Date(Date.now() - ageMs);
      await utimes(file, when, when);
    },
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}
