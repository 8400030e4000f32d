import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult } from "../../../lib/result.js";
import { bundle } from "../../support/bundle.js";
import { httpTarget, routes, type Target, tcpTarget } from "../../support/servers.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "../../..");
const MiB = 1_048_576;
let web: Target;
let child: string;

beforeAll(async () => {
  web = await httpTarget(routes);
  child = await bundle(path.join(root, "test/support/probe-child.ts"));
});
afterAll(() => web.close());

async function probeInChild(entry: Record<string, unknown> | Record<string, unknown>[]) {
  const { stdout } = await run(process.execPath, [child, JSON.stringify(entry)], {
    cwd: root,
    maxBuffer: 16 * MiB,
  });
  return JSON.parse(stdout) as { result: CheckResult; results: CheckResult[]; maxRssBytes: number };
}

describe("http probe memory", () => {
  it("reads a 512 MiB body without holding it: the process stays under 256 MB", async () => {
    const { result, maxRssBytes } = await probeInChild({
      name: "big",
      timeout: "60s",
      http: { url: `${web.url}/stream?bytes=${512 * MiB}`, maxBodySize: "1GiB" },
    });
    expect(result.status, result.reason).toBe("up");
    expect(result.facts?.bodyBytes).toBe(512 * MiB);
    expect(maxRssBytes).toBeLessThan(256 * 1_000_000);
  });

  it("holds 4 bodies of endless 1-byte chunks and a 512 MiB chunked one under 256 MB, another core busy", async () => {
    // Each 1-byte chunk is a piece of its own for the reader: kept as pieces, one 1 MiB body cost 235 MB.
    const oneByteChunks = await tcpTarget((socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
        const burst = Buffer.from("1\r\na\r\n".repeat(10_000));
        const more = () => {
          while (!socket.destroyed && socket.write(burst));
          if (!socket.destroyed) socket.once("drain", more);
        };
        more();
      });
    });
    const busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
    try {
      const { results, maxRssBytes } = await probeInChild([
        ...[1, 2, 3, 4].map((i) => ({
          name: `chunks-${i}`,
          timeout: "60s",
          http: { url: `${oneByteChunks.url.replace("tcp:", "http:")}/`, expect: { bodyContains: ["b"] } },
        })),
        {
          name: "big",
          timeout: "60s",
          http: { url: `${web.url}/stream?bytes=${512 * MiB}`, maxBodySize: "1GiB" },
        },
      ]);
      expect(results.map((r) => r.reason)).toEqual([
        ...Array(4).fill("body larger than the 1MiB limit (maxBodySize)"),
        "200 OK",
      ]);
      // Measured 2026-12-06: bench/README.md, "Memory per probe".
      expect(maxRssBytes).toBeLessThan(256 * 1_000_000);
    } finally {
      busy.kill();
      await oneByteChunks.close();
    }
  }, 120_000);

  it("stops at the default 1 MiB cap and says so", async () => {
    const { result } = await probeInChild({
      name: "capped",
      http: { url: `${web.url}/stream?bytes=${512 * MiB}` },
    });
    expect(result).toMatchObject({ status: "down", reason: "body larger than the 1MiB limit (maxBodySize)" });
  });
});
