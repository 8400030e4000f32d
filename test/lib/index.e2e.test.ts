import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Never copied: installed or built output, and local state (packing rebuilds dist/, which other tests must not see). */
const SKIP = new Set(["node_modules", "dist", "cdk.out", ".git", ".watchpost", "coverage", "node24"]);

/** The checkout's sources in a fresh folder, sharing its node_modules. */
async function copyOfCheckout(): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), "watchpost-checkout-"));
  await cp(root, copy, { recursive: true, filter: (source) => !SKIP.has(path.basename(source)) });
  await symlink(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}

describe("the published package", () => {
  it("installs into a team's own CDK app, with that app's aws-cdk-lib, and synthesizes offline", async () => {
    const checkout = await copyOfCheckout();
    const packed = await mkdtemp(path.join(tmpdir(), "watchpost-packed-"));
    await run(npm, ["pack", "--pack-destination", packed, "--silent"], {
      cwd: checkout,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [tarball] = (await readdir(packed)).filter((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();

    const app = await mkdtemp(path.join(tmpdir(), "watchpost-team-app-"));
    await writeFile(
      path.join(app, "package.json"),
      '{ "name": "team-app", "private": true, "type": "module" }\n',
    );
    await mkdir(path.join(app, "checks"));
    await writeFile(
      path.join(app, "checks", "api.yml"),
      'checks:\n  - name: api\n    http: { url: "https://api.example.com/health" }\n',
    );
    const cdk = JSON.parse(await readFile(path.join(root, "node_modules/aws-cdk-lib/package.json"), "utf8"));
    const constructs = JSON.parse(
      await readFile(path.join(root, "node_modules/constructs/package.json"), "utf8"),
    );
    await run(
      npm,
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        path.join(packed, tarball as string),
        `aws-cdk-lib@${cdk.version}`,
        `constructs@${constructs.version}`,
      ],
      { cwd: app, maxBuffer: 16 * 1024 * 1024 },
    );
    // One copy of the CDK: the app's (peer dependencies), not a second inside watchpost.
    await expect(
      readdir(path.join(app, "node_modules/watchpost/node_modules/aws-cdk-lib")),
    ).rejects.toThrow();

    await writeFile(
      path.join(app, "app.mjs"),
      `import { App, Stack } from "aws-cdk-lib";
import { Watchpost } from "watchpost";
const app = new App({ outdir: "cdk.out" });
new Watchpost(new Stack(app, "TeamStack"), "Monitor", { checksDir: "checks" });
app.synth();
`,
    );
    // Offline and without credentials: no AWS variables, no network needed.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    await run(process.execPath, ["app.mjs"], { cwd: app, env });
    const template = JSON.parse(await readFile(path.join(app, "cdk.out/TeamStack.template.json"), "utf8"));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter((r) => r.Type === "AWS::Lambda::Function" && r.Properties.Runtime === "nodejs24.x");
    expect(functions.map((f) => f.Properties.Handler)).toEqual(["index.handler"]);
    // The asset is the prebuilt bundle with the team's compiled checks beside it.
    const assets = (await readdir(path.join(app, "cdk.out"))).filter((f) => f.startsWith("asset."));
    const contents = await Promise.all(assets.map((a) => readdir(path.join(app, "cdk.out", a))));
    const probe = contents.find((files) => files.includes("checks.json"));
    expect(probe).toEqual(expect.arrayContaining(["index.mjs", "checks.json"]));
    const checks = JSON.parse(
      await readFile(
        path.join(app, "cdk.out", assets[contents.indexOf(probe as string[])] as string, "checks.json"),
        "utf8",
      ),
    );
    expect(Object.values(checks.shards).flat()).toEqual([expect.objectContaining({ name: "api" })]);
    // And the CLI comes with it.
    const { stdout } = await run(
      path.join(app, "node_modules/.bin/watchpost"),
      ["validate", "--checks", "checks"],
      {
        cwd: app,
      },
    );
    expect(stdout).toBe("1 check in 1 file: valid\n");
  }, 300_000);
});
