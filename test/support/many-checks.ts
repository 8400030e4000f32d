import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A folder of `count` generated checks over several files, kinds and intervals. */
export async function manyChecks(count: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "watchpost-many-"));
  const perFile = 500;
  const intervals = ["1m", "1m", "5m", "15m", "1h"];
  for (let file = 0; file * perFile < count; file++) {
    const lines = ["checks:"];
    for (let i = file * perFile; i < Math.min(count, (file + 1) * perFile); i++) {
      const interval = intervals[i % intervals.length];
      lines.push(
        i % 3 === 0
          ? `  - { name: tls-${i}, interval: ${interval}, tls: { host: service-${i}.example.com } }`
          : `  - { name: api-${i}, interval: ${interval}, labels: { team: team-${i % 40} }, http: { url: "https://service-${i}.example.com/health", expect: { status: [200] } } }`,
      );
    }
    await writeFile(path.join(dir, `checks-${file}.yml`), `${lines.join("\n")}\n`);
  }
  return dir;
}
