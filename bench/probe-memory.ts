/**
 * Peak memory of the http probe against bodies that are hard on a reader, each scenario in a fresh
 * process (the bundled test child), with another core kept busy as on a loaded machine: one and four
 * bodies of endless 1-byte chunks under a body assertion (capped at the default 1 MiB), one 512 MiB
 * chunked body read whole, and the four and the big one together. Prints peak RSS per scenario.
 */
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { bundle } from "../test/support/bundle.js";
import { httpTarget, routes, tcpTarget } from "../test/support/servers.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
const MiB = 1_048_576;

const child = await bundle(path.join(root, "test/support/probe-child.ts"));
const web = await httpTarget(routes);
const oneByteChunks = await tcpTarget((socket) => {
  socket.once("data", () => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    const burst = Buffer.from("1\r\na\r\n".repeat(10_000));
    const more = () => {
      while (!socket.destroyed && socket.write(burst));
      if (!socket.destroyed) socket.once("drain", more);
    };
    more();
  });
});
const chunks = (i: number) => ({
  name: `chunks-${i}`,
  timeout: "60s",
  http: { url: `${oneByteChunks.url.replace("tcp:", "http:")}/`, expect: { bodyContains: ["b"] } },
});
const big = {
  name: "big",
  timeout: "60s",
  http: { url: `${web.url}/stream?bytes=${512 * MiB}`, maxBodySize: "1GiB" },
};
const scenarios: [string, unknown[]][] = [
  ["1 × endless 1-byte chunks", [chunks(1)]],
  ["4 × endless 1-byte chunks", [1, 2, 3, 4].map(chunks)],
  ["512 MiB chunked, read whole", [big]],
  ["4 × 1-byte chunks + 512 MiB", [...[1, 2, 3, 4].map(chunks), big]],
];
const busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
try {
  for (const [label, entries] of scenarios) {
    const { stdout } = await run(process.execPath, [child, JSON.stringify(entries)], {
      cwd: root,
      maxBuffer: 16 * MiB,
    });
    const { maxRssBytes, results } = JSON.parse(stdout) as {
      maxRssBytes: number;
      results: { reason: string }[];
    };
    console.log(
      `${label.padEnd(32)} peak RSS ${(maxRssBytes / 1e6).toFixed(0).padStart(4)} MB  (${results.map((r) => r.reason).join("; ")})`,
    );
  }
} finally {
  busy.kill();
  await Promise.all([web.close(), oneByteChunks.close()]);
}
