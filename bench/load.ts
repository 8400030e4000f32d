/**
 * `watchpost validate` on a very large check set, measured as a user runs it: the CLI bundled as the
 * package ships it, a fresh Node process per run, wall time from spawn to exit, its CPU time and peak
 * RSS (reported by the process itself as it exits).
 *
 * The set: BENCH_FILES files (default 5) of BENCH_PER_FILE checks (default 10,000), written in block
 * style like checks/ and examples/: per-file defaults, every kind, labels, alert policies, headers with
 * references, JSON and header assertions, a few dependencies across files, objectives on checks and
 * on groups. BENCH_RUNS (default 3) runs: each run's figures, then the medians.
 * BENCH_COMPARE=<git revision> also measures that revision's CLI, in turn with this tree's in every
 * run (before and after figures under the same load). BENCH_KEEP=1 keeps the generated folder (for
 * `node --cpu-prof` or heap snapshots by hand).
 *
 * Run: npm run bench:load
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bundle } from "../test/support/bundle.js";

const root = path.join(import.meta.dirname, "..");
const FILES = Number(process.env.BENCH_FILES ?? 5);
const PER_FILE = Number(process.env.BENCH_PER_FILE ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COMPARE = process.env.BENCH_COMPARE;
const TEAMS = ["payments", "search", "identity", "storage", "edge", "data", "mobile", "billing"];
const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"];

/** One check in block style, varied by its index so every kind and optional field appears. */
function check(file: number, i: number): string {
  const name = `svc-${file}-${i}`;
  const team = TEAMS[i % TEAMS.length] as string;
  const lines = [`  - name: ${name}`];
  if (i % 7 === 0) lines.push("    interval: 5m");
  if (i % 11 === 0) lines.push("    timeout: 20s");
  if (i % 5 === 0) lines.push(`    severity: ${i % 2 ? "warning" : "info"}`);
  if (i % 4 !== 3) lines.push(`    labels: { service: ${name}, owner: ${team}-oncall, tier: "${i % 4}" }`);
  if (i % 13 === 0) lines.push("    alert: { failAfter: 3, failWithin: 5, renotifyEvery: 2h }");
  else if (i % 2 === 1)
    lines.push(`    alert: { runbook: "https://wiki.example.com/runbooks/${team}/${name}" }`);
  if (i % 17 === 0) lines.push(`    locations: [${REGIONS.slice(0, 1 + (i % 3)).join(", ")}]`);
  if (i % 50 === 0) lines.push("    slo: { availability: 99.9%, latency: { p95: 400ms }, window: 28d }");
  // A few dependencies: on the first check of this file, and now and then on one in the previous file.
  if (i % 100 === 1)
    lines.push(`    dependsOn: [svc-${file}-0${file > 0 && i % 300 === 1 ? `, svc-${file - 1}-0` : ""}]`);
  const kind = i % 20;
  if (kind < 10) {
    lines.push(
      "    http:",
      `      url: https://${name}.${team}.example.com/health?probe=watchpost`,
      "      headers:",
      "        Accept: application/json",
      "        User-Agent: watchpost-synthetic/1.0 (+https://wiki.example.com/monitoring)",
      `        Authorization: "Bearer \${secret:${team}/api-token}"`,
    );
    if (kind % 3 === 0) lines.push("      method: POST", `      body: '{"ping": true, "from": "${name}"}'`);
    lines.push(
      "      expect:",
      `        status: [${kind % 2 ? "200, 204" : "2xx"}]`,
      "        latency: { degraded: 300ms, fail: 2s }",
    );
    if (kind % 2 === 0)
      lines.push(
        "        json:",
        "          - { path: $.status, equals: ok }",
        `          - { path: "$.checks[0].name", matches: "^[a-z-]+$" }`,
      );
    if (kind % 4 === 1) lines.push("        headers:", "          content-type: { matches: json }");
  } else if (kind < 13) {
    lines.push(
      "    tls:",
      `      host: ${name}.${team}.example.com`,
      "      port: 443",
      "      expect: { validFor: 14d, minVersion: TLSv1.2 }",
    );
  } else if (kind < 15) {
    lines.push(
      "    tcp:",
      `      host: db-${i}.${team}.internal`,
      `      port: ${5432 + (i % 3)}`,
      `      expect: "^R"`,
    );
  } else if (kind < 17) {
    lines.push(
      "    dns:",
      `      name: ${name}.${team}.example.com`,
      `      type: ${kind === 15 ? "A" : "MX"}`,
      "      resolver: 1.1.1.1",
      "      expect:",
      "        count: { min: 1 }",
    );
  } else if (kind < 19) {
    lines.push(
      "    backup:",
      "      maxAge: 26h",
      "      degradedAge: 25h",
      kind === 17
        ? `      awsBackup: { vault: ${team}-prod, resourceArn: "arn:aws:rds:eu-west-1:123456789012:db:${name}" }`
        : `      s3: { bucket: ${team}-exports, prefix: "db/{yyyy}/{mm}/{dd}/", match: "*.sql.gz", minSize: 1MiB }`,
    );
  } else {
    lines.push(
      "    heartbeat:",
      i % 40 === 19 ? `      cron: "0 ${i % 24} * * *"` : "      every: 5m",
      ...(i % 40 === 19 ? ["      timezone: Europe/Berlin"] : []),
      "      grace: 10m",
      "      expect: { maxDuration: 1h }",
    );
  }
  return lines.join("\n");
}

function checkFile(file: number): string {
  const team = TEAMS[file % TEAMS.length] as string;
  const checks = Array.from({ length: PER_FILE }, (_, i) => check(file, i));
  return [
    "# yaml-language-server: $schema=../schema/checks.schema.json",
    `# Generated by bench/load.ts: ${PER_FILE} checks.`,
    "defaults:",
    "  interval: 1m",
    "  timeout: 10s",
    `  labels: { team: ${team}, env: prod }`,
    `  alert: { failAfter: 2, recoverAfter: 1, renotifyEvery: 4h, runbook: https://wiki.example.com/runbooks/${team} }`,
    "",
    "checks:",
    ...checks,
    "",
    "slos:",
    `  - name: ${team}-${file}-availability`,
    `    labels: { team: ${team} }`,
    "    availability: 99.5%",
    "",
  ].join("\n");
}

interface Measured {
  wallMs: number;
  cpuSeconds: number;
  maxRssBytes: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One `validate` in a fresh process; the preloaded script reports CPU and peak RSS as it exits. */
function measure(cli: string, usage: string, dir: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--require", usage, cli, "validate", "--checks", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      const line = stderr.split("\n").find((l) => l.startsWith("USAGE "));
      if (!line) return reject(new Error(`no usage line from validate (exit ${code}):\n${stderr}`));
      const usageFigures = JSON.parse(line.slice("USAGE ".length)) as {
        cpuSeconds: number;
        maxRssBytes: number;
      };
      resolve({ wallMs, ...usageFigures, code, stdout, stderr: stderr.replace(`${line}\n`, "") });
    });
  });
}

/** The CLI of `revision` (bin/ and lib/ from git), bundled like this tree's: for before/after figures. */
async function bundleRevision(revision: string, into: string): Promise<string> {
  const tree = path.join(into, `at-${revision.replace(/[^\w.-]/g, "_")}`);
  await mkdir(tree);
  const archive = spawnSync("git", ["archive", "--format=tar", revision, "bin", "lib"], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  if (archive.status !== 0) throw new Error(`git archive ${revision}: ${archive.stderr}`);
  const unpack = spawnSync("tar", ["-x", "-C", tree], { input: archive.stdout });
  if (unpack.status !== 0) throw new Error(`tar: ${unpack.stderr}`);
  await symlink(path.join(root, "node_modules"), path.join(tree, "node_modules"));
  return bundle(path.join(tree, "bin/watchpost.ts"));
}

const dir = await mkdtemp(path.join(os.tmpdir(), "watchpost-load-"));
const checksDir = path.join(dir, "checks");
await mkdir(checksDir);
let bytes = 0;
for (let file = 0; file < FILES; file++) {
  const target = path.join(checksDir, `service-${file}.yml`);
  await writeFile(target, checkFile(file));
  bytes += (await stat(target)).size;
}
const usage = path.join(dir, "usage.cjs");
await writeFile(
  usage,
  `process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("USAGE " + JSON.stringify({ cpuSeconds: (u.user + u.system) / 1e6, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\\n"); });\n`,
);
// Each CLI measured, in turn within every run, so both see the same load on a shared machine.
const clis: { name: string; file: string }[] = [
  ...(COMPARE ? [{ name: COMPARE, file: await bundleRevision(COMPARE, dir) }] : []),
  { name: "this tree", file: await bundle(path.join(root, "bin/watchpost.ts")) },
];

const checks = FILES * PER_FILE;
console.log(
  `watchpost validate: ${checks.toLocaleString("en")} checks in ${FILES} files, ${(bytes / 1e6).toFixed(1)} MB of YAML; Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)}`,
);
console.log("CLI | run | wall s | CPU s | peak RSS MB | bytes of RSS per byte of YAML");
const runs = new Map<string, Measured[]>(clis.map((cli) => [cli.name, []]));
for (let run = 1; run <= RUNS; run++) {
  for (const cli of clis) {
    const r = await measure(cli.file, usage, checksDir);
    if (r.code !== 0 || !r.stdout.startsWith(`${checks} checks in ${FILES} files: valid`)) {
      throw new Error(
        `${cli.name}: validate did not accept the set (exit ${r.code}):\n${r.stdout}${r.stderr.slice(0, 4000)}`,
      );
    }
    runs.get(cli.name)?.push(r);
    console.log(
      `${cli.name} | ${run} | ${(r.wallMs / 1000).toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${(r.maxRssBytes / 1e6).toFixed(0)} | ${(r.maxRssBytes / bytes).toFixed(1)}`,
    );
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
for (const [name, measured] of runs)
  console.log(
    `median, ${name}: ${(median(measured.map((r) => r.wallMs)) / 1000).toFixed(1)} s wall, ${median(measured.map((r) => r.cpuSeconds)).toFixed(1)} s CPU, ${(median(measured.map((r) => r.maxRssBytes)) / 1e6).toFixed(0)} MB peak RSS`,
  );
if (process.env.BENCH_KEEP === "1") console.log(`check files kept in ${checksDir}`);
else await rm(dir, { recursive: true, force: true });
