/**
 * Real peer programs from Debian (prometheus, prometheus-blackbox-exporter) started on loopback for
 * a test. Where a binary is missing the test is skipped with the install command, except in CI
 * (WATCHPOST_REQUIRE_PEERS=1), where a missing peer is a failure.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export function peerAvailable(binary: string, aptPackage: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${binary}`]).status === 0;
  if (!found && process.env.WATCHPOST_REQUIRE_PEERS) {
    throw new Error(
      `${binary} is required here (WATCHPOST_REQUIRE_PEERS is set): apt-get install -y ${aptPackage}`,
    );
  }
  if (!found)
    console.warn(`skipping: ${binary} not found; install it with: apt-get install -y ${aptPackage}`);
  return found;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Peer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `binary args…` and waits until `readyPath` answers 200, for at most `waitMs`. */
export async function startPeer(
  binary: string,
  args: string[],
  port: number,
  readyPath: string,
  waitMs = 20_000,
  options: { acceptStatus?: (status: number) => boolean } = {},
): Promise<Peer> {
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${binary} exited with ${child.exitCode}: ${log}`);
    try {
      const response = await fetch(`${url}${readyPath}`);
      if (options.acceptStatus ? options.acceptStatus(response.status) : response.ok)
        return { url, process: child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${binary} was not ready within ${waitMs}ms: ${log}`);
}

/**
 * A stock Prometheus on loopback with its remote-write receiver on, its data in `dir`: the receiver
 * the remote-write tests write to and query back.
 */
export async function startPrometheus(dir: string): Promise<Peer> {
  await writeFile(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
  const port = await freePort();
  return startPeer(
    "prometheus",
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
    ],
    port,
    "/-/ready",
    60_000,
  );
}

/** blackbox_exporter on a free loopback port, reading the modules in `configFile`. */
export async function startBlackbox(configFile: string, extraArgs: string[] = []): Promise<Peer> {
  const port = await freePort();
  return startPeer(
    "prometheus-blackbox-exporter",
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, ...extraArgs],
    port,
    "/-/healthy",
  );
}
