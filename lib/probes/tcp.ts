import net from "node:net";
import type { Condition, Observation } from "../result.js";
import type { TcpConfig } from "./config/tcp.js";
import { describeNetworkError, failedObservation } from "./errors.js";
import { defineProbe } from "./probe.js";
import { timedLookup } from "./timing.js";

/** A banner longer than this is not a banner; stop reading. */
const MAX_BANNER_BYTES = 65_536;

export const tcpProbe = defineProbe<TcpConfig>({
  kind: "tcp",
  target: (cfg) => `${cfg.host}:${cfg.port}`,
  async run(cfg, ctx): Promise<Observation> {
    const where = `${cfg.host}:${cfg.port}`;
    const lookup = timedLookup();
    const started = performance.now();
    ctx.stage(`connecting to ${where}`);
    const socket = net.connect({ host: cfg.host, port: cfg.port, lookup: lookup.fn });
    const onAbort = () => socket.destroy();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      });
      const connected = performance.now();
      const phases = { resolve: lookup.durationMs(), connect: connected - started - lookup.durationMs() };
      const remoteAddress = socket.remoteAddress;
      const resolved = lookup.resolved(cfg.host);
      const addressFacts = { ...(remoteAddress ? { remoteAddress } : {}), ...(resolved ? { resolved } : {}) };
      if (cfg.send !== undefined) socket.write(cfg.send);
      if (cfg.expect === undefined) {
        return {
          conditions: [],
          summary: `connected to ${where}`,
          phases,
          facts: addressFacts,
        };
      }
      ctx.stage(`waiting for data matching /${cfg.expect}/ from ${where}`);
      const pattern = new RegExp(cfg.expect);
      const banner = await readUntil(socket, pattern);
      const ok = pattern.test(banner);
      const condition: Condition = {
        ok,
        effect: "fail",
        text: ok
          ? `${where} answered ${JSON.stringify(banner.slice(0, 80))}`
          : `${where} answered ${JSON.stringify(banner.slice(0, 80))}, expected to match /${cfg.expect}/`,
      };
      return {
        conditions: [condition],
        summary: condition.text,
        phases: { ...phases, processing: performance.now() - connected },
        facts: { banner: banner.slice(0, 1024), contentMismatch: !ok, ...addressFacts },
      };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return failedObservation(describeNetworkError(error, where), lookup.resolved(cfg.host));
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      socket.destroy();
    }
  },
});

/** Everything the peer sends until `pattern` matches, it closes, or 64KiB arrived. */
function readUntil(socket: net.Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const finish = () => {
      socket.off("data", onData);
      resolve(received);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (pattern.test(received) || received.length >= MAX_BANNER_BYTES) finish();
    };
    socket.on("data", onData);
    socket.once("end", finish);
    socket.once("close", finish);
    socket.once("error", reject);
  });
}
