/**
 * What a newcomer met on a first afternoon (issue 29): each a command that said one thing and did
 * another, or said it in a way that meant nothing to them.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetLeft } from "../../../lib/cli/commands/slo.js";
import { main } from "../../../lib/cli/main.js";
import { stream } from "../../support/cli.js";
import { closedPort, type Target, webhookReceiver } from "../../support/servers.js";

async function cli(...args: string[]) {
  const stdout = stream();
  const stderr = stream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let folder: string;
let hook: Target;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "watchpost-edges-"));
  await writeFile(
    path.join(folder, "one.yml"),
    "checks:\n  - name: api\n    tcp: { host: api.example.com, port: 443 }\n  - name: nightly\n    heartbeat: { every: 1d }\n",
  );
  ({ hook } = await webhookReceiver());
});

afterAll(async () => {
  await hook.close();
});

describe("what a newcomer meets", () => {
  it("an error line carries one hint, the named command's help, not two different ones", async () => {
    for (const args of [["run", "--jsn"], ["token"], ["validate", "a", "b"], ["run", "--concurrency", "0"]]) {
      const { code, stderr } = await cli(...args);
      expect(code).toBe(2);
      const lines = stderr.trimEnd().split("\n");
      expect(lines, stderr).toHaveLength(2);
      expect(lines[1]).toBe(`Run 'watchpost ${args[0]} --help' for usage.`);
      expect(lines[0]).not.toMatch(/--help/);
    }
    expect((await cli("rnu")).stderr).toMatch(/\nRun 'watchpost --help' for usage\.\n$/);
  });

  it("plan counts one check as one check", async () => {
    const single = await mkdtemp(path.join(tmpdir(), "watchpost-edges-one-"));
    await writeFile(
      path.join(single, "a.yml"),
      "checks:\n  - name: a\n    tcp: { host: a.example, port: 1 }\n",
    );
    const { code, stdout } = await cli("plan", "--checks", single);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 check in 1 shard \(/);
    expect(stdout).toMatch(/1m-0 +rate\(1m\) +1 check {2,}43,200 invocations a month/);
    expect(stdout).not.toMatch(/\b1 checks\b/);
  });

  it("demo --help gives the exit code demo exits with", async () => {
    const { stdout } = await cli("demo", "--help");
    expect(stdout).toContain("Exit codes: 0 ok; 0 too when a demo check is down (some are, on purpose).");
    expect(stdout).not.toMatch(/\b1: a demo check is down/);
  });

  it("status --help says --out takes a folder", async () => {
    const { stdout } = await cli("status", "--help");
    expect(stdout).toMatch(/--out DIR +The folder to write index\.html and status\.json to/);
    expect(stdout).not.toContain("instead of standard output");
  });

  it("status without --checks does not quietly build a page of the example checks the history never saw", async () => {
    const mine = await mkdtemp(path.join(tmpdir(), "watchpost-edges-status-"));
    await writeFile(
      path.join(mine, "mine.yml"),
      `checks:\n  - name: my-db\n    retries: 0\n    tcp: { host: 127.0.0.1, port: ${await closedPort()} }\n`,
    );
    const state = path.join(mine, ".watchpost", "state.json");
    expect((await cli("run", "--checks", mine, "--state", state)).code).toBe(1);
    // The repository's checks/ holds the example checks: the default, and not what ran.
    const wrong = await cli("status", "--out", path.join(mine, "public"), "--state", state);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /^watchpost: none of the \d+ checks in checks has a result in .*history.*, which holds my-db: give --checks the check files those runs used\n$/,
    );
    const right = await cli("status", "--out", path.join(mine, "public"), "--state", state, "--checks", mine);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(`and status.json from the 1 check in ${mine}:`);
  });

  it("token refuses a name no heartbeat check has, instead of printing a token that looks valid", async () => {
    const key = path.join(folder, "key");
    await writeFile(key, "a-key-of-the-deployment\n");
    const wrong = await cli("token", "nigthly", "--checks", folder, "--key-file", key);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toContain(
      `no heartbeat check named nigthly in ${folder} (its heartbeat checks: nightly)`,
    );
    const notHeartbeat = await cli("token", "api", "--checks", folder, "--key-file", key);
    expect(notHeartbeat.code).toBe(2);
    const right = await cli("token", "nightly", "--checks", folder, "--key-file", key);
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/^[\w-]{43}\n$/);
  });

  it("slo --help describes slo's own options, and a spent budget reads as spent", async () => {
    const { stdout } = await cli("slo", "--help");
    expect(stdout).toMatch(/--only NAME +Report only this check or group/);
    expect(stdout).toMatch(/--json +Print the reports as one JSON array/);
    expect(stdout).not.toContain("Run only this check");
    expect(stdout).not.toContain("with --watch");
    expect(budgetLeft(-99)).toBe("spent, 100× the budget used");
    expect(budgetLeft(0.25)).toBe("25%");
  });

  it("notify --test names each destination that took the message and the one that did not", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/hook`;
    const channels = path.join(folder, "channels.yml");
    await writeFile(channels, `channels:\n  - webhook: ${dead}\n`);
    const { code, stdout, stderr } = await cli(
      "notify",
      "--test",
      "--webhook",
      hook.url,
      "--channels",
      channels,
    );
    expect(code).toBe(3);
    expect(stdout).toContain(`webhook ${hook.url}: took FIRING and RESOLVED\n`);
    expect(stderr).toContain(`could not send FIRING: webhook ${new URL(dead).origin}: connect ECONNREFUSED`);
    expect(stderr).toContain("1 of 2 destinations took the test notification");
  });

  it("notify --test says an unset ${env:…} in words, not as an error class", async () => {
    delete process.env.WATCHPOST_EDGES_UNSET;
    const channels = path.join(folder, "unset.yml");
    await writeFile(channels, "channels:\n  - webhook: ${env:WATCHPOST_EDGES_UNSET}\n");
    const { code, stderr } = await cli("notify", "--test", "--channels", channels);
    expect(code).toBe(3);
    expect(stderr).toContain("${env:WATCHPOST_EDGES_UNSET} is not set");
    expect(stderr).not.toContain("ReferenceResolutionError");
  });

  it("init into another folder gives next steps that work from here, where Watchpost is installed", async () => {
    const here = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-edges-init-")), "here");
    await mkdir(here);
    const cwd = process.cwd();
    process.chdir(here);
    try {
      const { code, stdout } = await cli("init", "../elsewhere-checks");
      expect(code).toBe(0);
      expect(stdout).toContain("npx watchpost validate --checks ../elsewhere-checks/checks ");
      expect(stdout).not.toContain("cd ../elsewhere-checks");
    } finally {
      process.chdir(cwd);
    }
  });

  it("validate reports an unknown dependency with the schema's problems, and contradictory thresholds", async () => {
    const broken = await mkdtemp(path.join(tmpdir(), "watchpost-edges-validate-"));
    await writeFile(
      path.join(broken, "a.yml"),
      "checks:\n  - name: a\n    dependsOn: [nope]\n    http:\n      url: https://a.example\n      expect: { latency: { degraded: 2s, fail: 1s } }\n  - name: b\n    dependsOn: [a]\n    tcp: { host: b, port: 99999 }\n",
    );
    const { code, stderr } = await cli("validate", "--checks", broken);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "a.yml:6:38: checks[0].http.expect.latency.degraded: expected a degraded latency below fail (1s), found 2s\n",
    );
    expect(stderr).toContain("a.yml:9:27: checks[1].tcp.port: expected a port number from 1 to 65535");
    expect(stderr).toContain(
      'a.yml:3:17: checks[0].dependsOn[0]: expected the name of a check in any check file, found "nope"\n',
    );
    expect(stderr).not.toContain('dependsOn[0]: expected the name of a check in any check file, found "a"');
    expect(stderr).toMatch(/3 problems in 1 file\n$/);
  });
});
