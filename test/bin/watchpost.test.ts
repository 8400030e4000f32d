import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closedPort, httpTarget } from "../support/servers.js";

const root = path.join(import.meta.dirname, "../..");

/**
 * The command as a user starts it, with `env` added to theirs: the process, and its exit code with
 * both streams once it exits.
 */
function watchpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bin/watchpost.ts"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited };
}

describe("the watchpost command", () => {
  it("stops on Ctrl-C (SIGINT) during a run against a hanging target: what finished is printed, exit 130", async () => {
    let connected: () => void = () => {};
    const probing = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const hanging = await httpTarget(() => connected());
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-sigint-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      `checks:\n  - name: hanging\n    timeout: 30s\n    http: { url: "${hanging.url}/" }\n`,
    );
    try {
      const { child, exited } = watchpost([
        "run",
        "--checks",
        folder,
        "--state",
        path.join(folder, "s.json"),
      ]);
      await probing;
      const sent = performance.now();
      child.kill("SIGINT");
      const { code, stdout, stderr } = await exited;
      const tookMs = performance.now() - sent;
      expect(code, stderr).toBe(130);
      expect(tookMs).toBeLessThan(2_000);
      expect(stdout).toMatch(
        /^hanging\s+SKIPPED\s+.*cut: the run was stopped while waiting for response headers/m,
      );
      expect(stderr).toContain("watchpost: interrupted; results above are what finished");
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await hanging.close();
    }
  });

  // The SDK prints its notice on Node 20 only: on 22 and later this checks the table alone.
  it("runs a backup check on Node 20 without the AWS SDK's notice about its future Node versions", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-sdk-notice-"));
    await writeFile(
      path.join(folder, "checks.yml"),
      "checks:\n  - name: db-dump\n    backup: { maxAge: 26h, s3: { bucket: exports, prefix: db/ } }\n",
    );
    const { code, stdout, stderr } = await watchpost(
      ["run", "--checks", folder, "--state", path.join(folder, "s.json")],
      {
        // A local S3 that is not there: the check is unknown, and the SDK was loaded to say so.
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}`,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
      },
    ).exited;
    expect(code).toBe(1);
    expect(stdout).toMatch(/^CHECK +STATUS/);
    expect(stdout).toMatch(/^db-dump +UNKNOWN .*s3:ListBucket/m);
    expect(stderr).not.toContain("NodeVersionSupportWarning");
  });
});
