import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { httpTarget } from "../support/servers.js";

const root = path.join(import.meta.dirname, "../..");

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
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(root, "bin/watchpost.ts"),
          "run",
          "--checks",
          folder,
          "--state",
          path.join(folder, "s.json"),
        ],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await probing;
      const sent = performance.now();
      child.kill("SIGINT");
      const code = await exited;
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
});
