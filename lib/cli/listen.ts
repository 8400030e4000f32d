/**
 * `watchpost run --watch --listen HOST:PORT`: the ping endpoint for every heartbeat check loaded,
 * recording pings where the checks read them, as the deployed ping function does.
 */
import type { CheckSpec } from "../checks/load.js";
import { envResolver } from "../checks/references.js";
import { PingEndpoint } from "../heartbeat/endpoint.js";
import { type PingServer, parseListen, startPingServer } from "../heartbeat/listen.js";
import type { HeartbeatStore } from "../heartbeat/store.js";
import { checkTokens, localKey } from "../heartbeat/token.js";
import { EnvironmentError, type Io, UsageError } from "./context.js";

/** Heartbeat checks' pings: where they are kept, the key their tokens derive from, and `--listen`. */
export interface LocalHeartbeats {
  store: HeartbeatStore;
  keyFile: string;
  listen?: { host: string; port: number };
}

/** `--listen`'s address, which only `--watch` has the time to serve. */
export function listenOption(
  listen: string | undefined,
  watch: boolean,
): { host: string; port: number } | undefined {
  if (listen === undefined) return undefined;
  if (!watch)
    throw new UsageError("--listen serves heartbeat pings while --watch runs the checks; add --watch");
  const address = parseListen(listen);
  if (!address) throw new UsageError(`--listen expects HOST:PORT such as 127.0.0.1:8787, found "${listen}"`);
  return address;
}

export async function servePings(
  checks: CheckSpec[],
  heartbeats: LocalHeartbeats | undefined,
  io: Io,
): Promise<PingServer | undefined> {
  if (!heartbeats?.listen) return undefined;
  // Made now, so `watchpost token NAME` works as soon as the endpoint listens.
  const key = await localKey(heartbeats.keyFile);
  const endpoint = new PingEndpoint({
    tokens: checkTokens(checks, async () => key, { env: envResolver }),
    store: heartbeats.store,
    onError: (what, error) =>
      io.stderr.write(
        `heartbeat ping not recorded: ${what}: ${(error as Error)?.message ?? String(error)}\n`,
      ),
  });
  const { host, port } = heartbeats.listen;
  let server: PingServer;
  try {
    server = await startPingServer(endpoint, host, port);
  } catch (error) {
    throw new EnvironmentError(
      `cannot listen on ${host}:${port}: ${(error as { code?: string }).code ?? (error as Error).message}; name another address with --listen HOST:PORT`,
    );
  }
  const names = checks.filter((check) => check.kind === "heartbeat").map((check) => check.name);
  io.stderr.write(
    `listening for heartbeat pings on ${server.url}/ping/NAME (${names.length === 0 ? "no heartbeat checks loaded" : names.join(", ")}); tokens: watchpost token NAME\n`,
  );
  return server;
}
