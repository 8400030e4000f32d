/**
 * What issue 29 asks of the package: `npm pack`, then two fresh CDK apps install the tarball, take
 * the README's lines for the construct, and `cdk synth` succeeds with cdk-nag's AwsSolutions pack
 * clean and the outputs the README names. One app is what `cdk init app --language typescript`
 * writes (CommonJS, type-checked by `tsc` before every synth), the other an ES module app as the
 * README's "Deploy it in your own CDK app" has it. Offline: npm's cache and no AWS credentials.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  installed,
  newcomerEnv,
  npmInstall,
  packCheckout,
  readmeBlocks,
  root,
  run,
} from "../support/package.js";

const DEPLOY = "Deploy it in your own CDK app";
let tarball: string;
/** The README's complete app and its cdk.json. */
let readmeApp: string;
let readmeCdkJson: string;

beforeAll(async () => {
  tarball = await packCheckout();
  const ts = (await readmeBlocks("ts")).filter((b) => b.heading === DEPLOY);
  const json = (await readmeBlocks("json")).filter((b) => b.heading === DEPLOY);
  expect(ts).toHaveLength(1);
  expect(json).toHaveLength(1);
  readmeApp = (ts[0] as { code: string }).code;
  readmeCdkJson = (json[0] as { code: string }).code;
}, 600_000);

/** The lines a team adds to check its app with cdk-nag (cdk-nag 3 reports through CDK's Validations). */
const NAG_IMPORTS =
  'import { Validations } from "aws-cdk-lib";\nimport { AwsSolutionsChecks } from "cdk-nag";\n';
const NAG = "Validations.of(app).addPlugins(new AwsSolutionsChecks(app));\n";

/** `cdk synth` as a user runs it; the Watchpost stack's template, read back. */
async function synth(app: string): Promise<{ Outputs?: Record<string, unknown>; Resources: object }> {
  await run(path.join(app, "node_modules/.bin/cdk"), ["synth", "--quiet", "--no-notices"], {
    cwd: app,
    env: newcomerEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(await readFile(path.join(app, "cdk.out/Watchpost.template.json"), "utf8"));
}

/** The outputs README names for a deploy without heartbeats (`watchpost init`'s checks have none). */
const OUTPUTS = ["TopicArn", "DashboardUrl", "StateTable", "StatusPageBucket", "ProbeFunction"];

async function expectPrebuiltAsset(app: string) {
  // The probe function is the package's prebuilt bundle with the app's compiled checks beside it:
  // no esbuild, no Docker in the team's app.
  const assets = (await readdir(path.join(app, "cdk.out"))).filter((f) => f.startsWith("asset."));
  const contents = await Promise.all(assets.map((a) => readdir(path.join(app, "cdk.out", a))));
  expect(contents).toContainEqual(expect.arrayContaining(["index.mjs", "checks.json"]));
}

describe("the packed tarball in a team's own CDK app", () => {
  it("works in the app `cdk init app --language typescript` writes, with the README's lines", async () => {
    const app = path.join(await mkdtemp(path.join(tmpdir(), "watchpost-init-")), "team-monitoring");
    await mkdir(app);
    await run(
      path.join(root, "node_modules/.bin/cdk"),
      ["init", "app", "--language", "typescript", "--generate-only"],
      {
        cwd: app,
        env: newcomerEnv(),
      },
    );
    // Its test tooling (jest, swc, the TypeScript it names, its jest test) is not in the offline cache
    // and has no part in a synth: what stays is what `cdk synth` runs, at this checkout's versions.
    const manifest = JSON.parse(await readFile(path.join(app, "package.json"), "utf8"));
    manifest.devDependencies = {};
    await writeFile(path.join(app, "package.json"), JSON.stringify(manifest, null, 2));
    await rm(path.join(app, "test"), { recursive: true });
    await rm(path.join(app, "jest.config.js"));
    const tsconfig = JSON.parse(await readFile(path.join(app, "tsconfig.json"), "utf8"));
    tsconfig.compilerOptions.types = ["node"];
    await writeFile(path.join(app, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    await npmInstall(app, [
      tarball,
      ...(await Promise.all(
        ["aws-cdk-lib", "constructs", "aws-cdk", "tsx", "typescript", "@types/node", "cdk-nag"].map(
          installed,
        ),
      )),
    ]);
    await run(path.join(app, "node_modules/.bin/watchpost"), ["init"], { cwd: app, env: newcomerEnv() });

    // README: its bin/ file takes the same lines, the import and the stack after its `new App()`.
    const bin = path.join(app, "bin/team-monitoring.ts");
    const source = await readFile(bin, "utf8");
    const importLine = readmeApp.split("\n").find((line) => line.includes('from "watchpost"')) as string;
    const stack = readmeApp.slice(readmeApp.indexOf("new WatchpostStack("));
    expect(source).toContain("\n\nconst app = new cdk.App();\n");
    await writeFile(
      bin,
      source.replace(
        "\n\nconst app = new cdk.App();\n",
        `\n${NAG_IMPORTS}${importLine}\n\nconst app = new cdk.App();\n${NAG}${stack}\n`,
      ),
    );

    const template = await synth(app);
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(OUTPUTS));
    await expectPrebuiltAsset(app);
    // One copy of the CDK: the app's (peer dependencies), not a second inside watchpost.
    await expect(
      readdir(path.join(app, "node_modules/watchpost/node_modules/aws-cdk-lib")),
    ).rejects.toThrow();
  }, 600_000);

  it("works in an ES module app made of the README's app.ts and cdk.json", async () => {
    const app = await mkdtemp(path.join(tmpdir(), "watchpost-esm-"));
    await writeFile(
      path.join(app, "package.json"),
      '{ "name": "my-monitoring", "private": true, "type": "module" }\n',
    );
    await npmInstall(app, [tarball]);
    await npmInstall(app, [
      "--save-dev",
      ...(await Promise.all(["aws-cdk", "tsx", "cdk-nag"].map(installed))),
    ]);
    await run(path.join(app, "node_modules/.bin/watchpost"), ["init"], { cwd: app, env: newcomerEnv() });
    const [imports, body] = [
      readmeApp.slice(0, readmeApp.indexOf("\n\n") + 1),
      readmeApp.slice(readmeApp.indexOf("\n\n") + 1),
    ];
    expect(body).toContain("const app = new App();\n");
    await writeFile(
      path.join(app, "app.ts"),
      `${NAG_IMPORTS}${imports}${body.replace("const app = new App();\n", `const app = new App();\n${NAG}`)}\n`,
    );
    await writeFile(path.join(app, "cdk.json"), readmeCdkJson);

    const template = await synth(app);
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(OUTPUTS));
    await expectPrebuiltAsset(app);
    // And the CLI, and the check-file types, come with it.
    const { stdout } = await run(path.join(app, "node_modules/.bin/watchpost"), ["validate"], { cwd: app });
    expect(stdout).toBe("3 checks in 1 file: valid\n");
    const types = await readFile(path.join(app, "node_modules/watchpost/dist/lib/checks/index.d.ts"), "utf8");
    expect(types).toContain("CheckFileInput");
  }, 600_000);
});
