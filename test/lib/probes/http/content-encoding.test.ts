import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  acceptedEncodings,
  contentEncodings,
  decodeBody,
} from "../../../../lib/probes/http/content-encoding.js";

const text = "hello, compressed world";
const all = new Set(["gzip", "deflate", "br"]);

describe("content encoding", () => {
  it("takes the accepted encodings from Accept-Encoding (q=0 refused, * for all) and compression", () => {
    expect([...acceptedEncodings("gzip, br;q=0.5, deflate;q=0", undefined)]).toEqual(["gzip", "br"]);
    expect([...acceptedEncodings("*;q=0.1, identity", undefined)].sort()).toEqual(["br", "deflate", "gzip"]);
    expect([...acceptedEncodings(undefined, "br")]).toEqual(["br"]);
    expect([...acceptedEncodings(undefined, "identity")]).toEqual([]);
    expect([...acceptedEncodings("X-Gzip", undefined)]).toEqual(["gzip"]);
  });

  it("lists the codings a response applied, identity dropped", () => {
    expect(contentEncodings(["gzip, identity", "BR"])).toEqual(["gzip", "br"]);
    expect(contentEncodings(undefined)).toEqual([]);
  });

  it("decodes gzip, zlib and raw deflate, br, and codings applied in turn", async () => {
    const body = Buffer.from(text);
    const cases: [string[], Buffer][] = [
      [["gzip"], zlib.gzipSync(body)],
      [["x-gzip"], zlib.gzipSync(body)],
      [["deflate"], zlib.deflateSync(body)],
      [["deflate"], zlib.deflateRawSync(body)],
      [["br"], zlib.brotliCompressSync(body)],
      [["deflate", "gzip"], zlib.gzipSync(zlib.deflateRawSync(body))],
    ];
    for (const [encodings, encoded] of cases) {
      const decoded = await decodeBody(encoded, encodings, all, 1_000);
      expect(decoded.ok && decoded.body.toString(), encodings.join(",")).toBe(text);
    }
  });

  it("names an encoding the check did not ask for, one it cannot decode, and a corrupt body", async () => {
    expect(await decodeBody(zlib.gzipSync(text), ["gzip"], new Set(), 1_000)).toEqual({
      ok: false,
      problem: "unasked",
      reason:
        "body is gzip-encoded, which the check did not ask for (set compression: gzip, or send Accept-Encoding)",
    });
    expect(await decodeBody(Buffer.from(text), ["zstd"], new Set(["zstd"]), 1_000)).toMatchObject({
      problem: "unknown",
      reason: "body is zstd-encoded, which Watchpost cannot decode",
    });
    expect(await decodeBody(Buffer.from(text), ["gzip"], all, 1_000)).toMatchObject({
      problem: "corrupt",
      reason: "body could not be decoded as gzip (incorrect header check)",
    });
  });

  it("stops a decompression bomb at the limit and says so", async () => {
    const bomb = zlib.brotliCompressSync(Buffer.alloc(64 * 1024 * 1024), {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 },
    });
    expect(bomb.length).toBeLessThan(100_000);
    expect(await decodeBody(bomb, ["br"], all, 1_048_576)).toEqual({
      ok: false,
      problem: "exceeded",
      reason: "decoded br body larger than the 1MiB limit (maxBodySize)",
    });
    const exact = await decodeBody(zlib.gzipSync(Buffer.alloc(1_000)), ["gzip"], all, 1_000);
    expect(exact.ok && exact.body.length).toBe(1_000);
  });
});
