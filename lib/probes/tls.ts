import net from "node:net";
import tls from "node:tls";
import { TLS_VERSIONS } from "../checks/syntax.js";
import type { Condition, Observation } from "../result.js";
import { formatSpan } from "../units.js";
import {
  certificateFacts,
  hostnameCondition,
  readCa,
  secureContextFor,
  trustCondition,
  validForCondition,
} from "./certificate.js";
import type { TlsConfig } from "./config/tls.js";
import { describeNetworkError, failedObservation } from "./errors.js";
import { defineProbe } from "./probe.js";
import { timedLookup } from "./timing.js";
import { skipNodeHostnameCheck, skipPeerChainObjects } from "./tls-socket.js";

export const tlsProbe = defineProbe<TlsConfig>({
  kind: "tls",
  target: (cfg) => `${cfg.host}:${cfg.port}`,
  async run(cfg, ctx): Promise<Observation> {
    const serverName = cfg.serverName ?? cfg.host;
    const where = `${cfg.host}:${cfg.port}`;
    const ca = await readCa(ctx.baseDir, cfg.ca);
    const lookup = timedLookup();
    const started = performance.now();
    let connectedAt = 0;
    ctx.stage(`connecting to ${where}`);
    const socket = tls.connect({
      host: cfg.host,
      port: cfg.port,
      servername: net.isIP(serverName) ? undefined : serverName,
      secureContext: secureContextFor(ca),
      checkServerIdentity: skipNodeHostnameCheck,
      rejectUnauthorized: false,
      lookup: lookup.fn,
    });
    skipPeerChainObjects(socket);
    socket.once("connect", () => {
      connectedAt = performance.now();
      ctx.stage(`TLS handshake with ${where}`);
    });
    const onAbort = () => socket.destroy();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
      });
    } catch (error) {
      return failedObservation(describeNetworkError(error, where), lookup.resolved(cfg.host));
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
    const done = performance.now();
    const facts = certificateFacts(socket, serverName, ca);
    const version = socket.getProtocol() ?? "unknown";
    const negotiated = socket.getCipher();
    const cipher = negotiated?.standardName ?? negotiated?.name;
    const remoteAddress = socket.remoteAddress;
    socket.destroy();
    const resolveMs = lookup.durationMs();
    const resolved = lookup.resolved(cfg.host);
    const phases = {
      resolve: resolveMs,
      connect: connectedAt - started - resolveMs,
      tls: done - connectedAt,
    };
    if (!facts) return failedObservation(`${where} presented no certificate`, resolved);
    const conditions: Condition[] = [];
    if (cfg.expect.trusted) conditions.push(trustCondition(facts));
    if (cfg.expect.hostname) conditions.push(hostnameCondition(facts, serverName));
    if (cfg.expect.validFor !== undefined) {
      conditions.push(validForCondition(facts, cfg.expect.validFor, Date.now(), "leaf"));
      // An intermediate that expires before the leaf breaks the chain just the same.
      if (facts.earliestNotAfter !== facts.notAfter) {
        conditions.push(validForCondition(facts, cfg.expect.validFor, Date.now(), "chain"));
      }
    }
    if (cfg.expect.minVersion) {
      const ok = TLS_VERSIONS.indexOf(version as never) >= TLS_VERSIONS.indexOf(cfg.expect.minVersion);
      conditions.push({
        ok,
        effect: "fail",
        text: `negotiated ${version}, expected at least ${cfg.expect.minVersion}`,
      });
    }
    return {
      conditions,
      summary: `${version}, certificate valid until ${facts.notAfter.slice(0, 10)} (${formatSpan(Date.parse(facts.notAfter) - Date.now())} left)`,
      phases,
      facts: {
        certificate: facts,
        // As blackbox_exporter's handshake would have been: refused unless it verified, or was not asked to.
        tlsAccepted:
          (facts.trusted || !cfg.expect.trusted) && (facts.hostnameMatches !== false || !cfg.expect.hostname),
        tlsVersion: version,
        ...(resolved ? { resolved } : {}),
        ...(cipher ? { tlsCipher: cipher } : {}),
        ...(remoteAddress ? { remoteAddress } : {}),
      },
    };
  },
});
