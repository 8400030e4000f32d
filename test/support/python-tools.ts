/**
 * The Python tools some tests run: cfn-lint, and moto's server (an AWS emulator). They come from
 * Python's packages, not Debian's; where one is missing the test is skipped with the install
 * command, except in CI (WATCHPOST_REQUIRE_PEERS=1), where a missing tool is a failure.
 */
import { spawn } from "node:child_process";

export const PYTHON_TOOLS = {
  "cfn-lint": { probe: ["cfn-lint", "--version"], install: "pip install 'cfn-lint>=1.51'" },
  moto: {
    probe: ["python3", "-c", "import moto.server, flask, boto3"],
    install: "pip install 'moto[server]>=5.2' boto3",
  },
} as const;

/** Runs a command to its end: exit code, standard output and error. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("error", (error) => resolve({ code: null, stdout, stderr: String(error) }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export async function pythonToolAvailable(tool: keyof typeof PYTHON_TOOLS): Promise<boolean> {
  const { probe, install } = PYTHON_TOOLS[tool];
  const found = (await run(probe[0], probe.slice(1))).code === 0;
  if (!found && process.env.WATCHPOST_REQUIRE_PEERS)
    throw new Error(`${tool} is required here (WATCHPOST_REQUIRE_PEERS is set): ${install}`);
  if (!found) console.warn(`skipping: ${tool} not found; install it with: ${install}`);
  return found;
}
