import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult } from "../../../lib/result.js";
import { bundle } from "../../support/bundle.js";
import { httpTarget, routes, type Target } from "../../support/servers.js";

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

async function probeInChild(entry: Record<string, unknown>) {
  const { stdout } = await run(process.execPath, [child, JSON.stringify(entry)], { cwd: root });
  return JSON.parse(stdout) as { result: CheckResult; maxRssBytes: number };
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

  it("stops at the default 1 MiB cap and says so", async () => {
    const { result } = await probeInChild({
      name: "capped",
      http: { url: `${web.url}/stream?bytes=${512 * MiB}` },
    });
    expect(result).toMatchObject({ status: "down", reason: "body larger than the 1MiB limit (maxBodySize)" });
  });
});
