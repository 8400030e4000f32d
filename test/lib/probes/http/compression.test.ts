/** Compressed bodies through the http probe, from a real server that encodes as asked. */
import type http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../support/checks.js";
import { httpTarget, type Target } from "../../../support/servers.js";

const JSON_BODY = JSON.stringify({ status: "ok", items: [1, 2, 3] });
const ENCODERS: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gzipSync(body),
  deflate: (body) => zlib.deflateSync(body),
  "deflate-raw": (body) => zlib.deflateRawSync(body),
  br: (body) => zlib.brotliCompressSync(body),
};

let web: Target;
const asked: (string | undefined)[] = [];

beforeAll(async () => {
  web = await httpTarget((req: http.IncomingMessage, res: http.ServerResponse) => {
    asked.push(req.headers["accept-encoding"]);
    const url = new URL(req.url ?? "/", "http://x");
    // /enc/NAME: always NAME-encoded, asked for or not; /bomb: 64 MiB of zeros as gzip; /bom: JSON with a BOM.
    if (url.pathname === "/bomb") {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)));
      return;
    }
    if (url.pathname === "/bom") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON_BODY)]));
      return;
    }
    const name = url.pathname.slice("/enc/".length);
    const encode = ENCODERS[name] as (body: Buffer) => Buffer;
    res.writeHead(200, { "content-encoding": name.replace("-raw", ""), "content-type": "application/json" });
    res.end(encode(Buffer.from(JSON_BODY)));
  });
});

afterAll(() => web.close());

const json = [{ path: "$.status", equals: "ok" }];

describe("http probe: compressed bodies", () => {
  it("decodes gzip, deflate (zlib and raw) and br asked for by compression, sending Accept-Encoding", async () => {
    for (const name of Object.keys(ENCODERS)) {
      const compression = name.replace("-raw", "");
      asked.length = 0;
      const result = await probe({
        timeout: "3s",
        http: { url: `${web.url}/enc/${name}`, compression, expect: { json, bodyContains: ['"items"'] } },
      });
      expect([name, result.status, result.reason]).toEqual([name, "up", "200 OK"]);
      expect(asked).toEqual([compression]);
      expect(result.facts?.bodyBytes).toBe(JSON_BODY.length);
    }
  });

  it("decodes an encoding asked for by the check's own Accept-Encoding header", async () => {
    const result = await probe({
      timeout: "3s",
      http: { url: `${web.url}/enc/br`, headers: { "Accept-Encoding": "gzip, br" }, expect: { json } },
    });
    expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
  });

  it("names an encoding the check did not ask for instead of quoting compressed bytes", async () => {
    const result = await probe({ timeout: "3s", http: { url: `${web.url}/enc/gzip`, expect: { json } } });
    expect([result.status, result.reason]).toEqual([
      "down",
      "body is gzip-encoded, which the check did not ask for (set compression: gzip, or send Accept-Encoding)",
    ]);
    // Without a body assertion the encoding is none of the check's business.
    const plain = await probe({ timeout: "3s", http: { url: `${web.url}/enc/gzip` } });
    expect(plain.status).toBe("up");
  });

  it("holds the decoded size to maxBodySize: a decompression bomb is a reason", async () => {
    const result = await probe({
      timeout: "5s",
      http: {
        url: `${web.url}/bomb`,
        compression: "gzip",
        maxBodySize: "1MiB",
        expect: { bodyContains: ["x"] },
      },
    });
    expect([result.status, result.reason]).toEqual([
      "down",
      "decoded gzip body larger than the 1MiB limit (maxBodySize)",
    ]);
  });

  it("reads JSON that starts with a UTF-8 byte order mark", async () => {
    const result = await probe({ timeout: "3s", http: { url: `${web.url}/bom`, expect: { json } } });
    expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
  });
});
