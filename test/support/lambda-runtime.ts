/**
 * What the nodejs24.x runtime gives a function besides its asset: the AWS SDK v3, which the probe
 * function leaves out of its bundle. Lambda finds it on NODE_PATH (/var/runtime/node_modules), for
 * ES modules too; here a `node_modules/@aws-sdk` beside the synthesized assets points at this
 * checkout's, so the asset imports the SDK from outside itself exactly as it does in Lambda, and
 * nothing else.
 */
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";

const SDK = path.join(import.meta.dirname, "..", "..", "node_modules", "@aws-sdk");

export async function provideRuntimeSdk(assemblyDir: string): Promise<void> {
  await mkdir(path.join(assemblyDir, "node_modules"), { recursive: true });
  await symlink(SDK, path.join(assemblyDir, "node_modules", "@aws-sdk"), "dir");
}
