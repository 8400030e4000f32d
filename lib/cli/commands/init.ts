/**
 * `watchpost init [DIR]`: a starter checks/ folder (with the schema line editors use for completion)
 * that validates and runs, and what to do next. Never overwrites check files.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { command } from "../command.js";
import { describeFileError, EnvironmentError, type Io } from "../context.js";

export const initCommand = command({
  name: "init",
  summary: "Write a starter checks/ folder that validates and runs",
  usage: "watchpost init [DIR]",
  argument: { required: false },
  options: {},
  examples: ["watchpost init", "watchpost init monitoring"],
  exits: ["2: DIR already holds check files, or cannot be written"],
  run: ({ argument }, io) => init(argument ?? ".", io),
});

/** The JSON Schema shipped with Watchpost, wherever it is installed. */
function schemaPath(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "schema", "checks.schema.json");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const STARTER = (
  schemaLine: string,
) => `${schemaLine}# Starter checks: edit the targets, then \`watchpost validate\` and \`watchpost run\`.
# Every field is in Watchpost's README ("Check files") and in your editor's completion.
defaults:
  interval: 1m
  labels: { team: platform }

checks:
  # An HTTP health endpoint: up on a 2xx within the timeout, degraded when slower than 500ms.
  - name: example-homepage
    http:
      url: https://example.com/
      expect:
        status: [200]
        latency: { degraded: 500ms }

  # A certificate that must stay valid for two more weeks.
  - name: example-certificate
    interval: 1h
    tls: { host: example.com, expect: { validFor: 14d } }

  # A name that must resolve.
  - name: example-dns
    dns: { name: example.com, type: A }
`;

export async function init(dir: string, io: Io): Promise<number> {
  const checks = path.resolve(dir, "checks");
  if (existsSync(checks) && readdirSync(checks).some((f) => /\.ya?ml$/.test(f)))
    throw new EnvironmentError(
      `${path.relative(process.cwd(), checks) || "."} already holds check files; init writes only into an empty folder (name another: watchpost init DIR)`,
    );
  const schema = schemaPath();
  const file = path.join(checks, "example.yml");
  const schemaLine = schema
    ? `# yaml-language-server: $schema=${path.relative(checks, schema).split(path.sep).join("/")}\n`
    : "";
  try {
    await mkdir(checks, { recursive: true });
    await writeFile(file, STARTER(schemaLine), { flag: "wx" });
  } catch (error) {
    throw new EnvironmentError(describeFileError(error, "write") ?? `cannot write ${file}: ${String(error)}`);
  }
  const shown = path.relative(process.cwd(), file) || file;
  // Run from here, where Watchpost is installed: a `cd` into the new folder would leave it behind.
  const where = path.relative(process.cwd(), checks);
  const flag = where === "checks" ? "" : ` --checks ${where}`;
  const next = [
    [`npx watchpost validate${flag}`, "every problem, positioned"],
    [`npx watchpost run${flag}`, "run the checks once"],
    [`npx watchpost run${flag} --watch`, "keep running, alerting on changes"],
    ["npx cdk deploy", "in a CDK app holding WatchpostStack, to run them in AWS (README)"],
  ];
  const width = Math.max(...next.map(([command]) => (command as string).length)) + 2;
  io.stdout.write(
    `wrote ${shown}\n\nNext:\n${next.map(([command, why]) => `  ${(command as string).padEnd(width)}# ${why}`).join("\n")}\n`,
  );
  return 0;
}
