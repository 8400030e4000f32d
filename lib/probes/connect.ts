/**
 * A connection of the probe's own to host:port, plain or over TLS, timed as blackbox_exporter times
 * its phases (resolve, connect, tls) and with the TLS facts every kind reports alike. Nothing is
 * written on it before the handshake is accepted, so headers and metadata (credentials, often) never
 * reach a peer whose certificate failed.
 */
import net, { type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import type { Facts, Phase } from "../result.js";
import { certificateFacts, secureContextFor } from "./certificate.js";
import { describeCertificateError } from "./errors.js";
import type { ProbeContext } from "./probe.js";
import { timedLookup } from "./timing.js";
import { skipNodeHostnameCheck, skipPeerChainObjects } from "./tls-socket.js";

export interface ConnectTarget {
  host: string;
  port: number;
  tls?: {
    /** SNI and the name the certificate must carry. Default: host. */
    serverName?: string;
    /** PEM bundle of trusted roots; default the system's. */
    ca?: string;
    /** Accept a certificate that does not verify (its facts are still reported). */
    insecure: boolean;
    /** Protocols offered by ALPN (`h2` for gRPC). */
    alpn?: string[];
  };
}

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * Opens the connection and waits until it is ready (TCP connected; the TLS handshake done and
 * accepted). Fills `phases` (resolve, connect, tls) and `facts` (resolved address, remote address,
 * certificate, TLS version and cipher) as far as it got, also when it fails. The socket closes when
 * `ctx.signal` aborts; the caller destroys it when done.
 */
export async function connect(
  target: ConnectTarget,
  phases: Partial<Record<Phase, number>>,
  facts: Facts,
  ctx: ProbeContext,
): Promise<Socket> {
  const where = hostPort(target.host, target.port);
  const lookup = timedLookup();
  const started = performance.now();
  let tcpAt = 0;
  const secure = target.tls;
  const serverName = secure?.serverName ?? target.host;
  ctx.stage(`connecting to ${where}`);
  const socket: Socket = secure
    ? tls.connect({
        host: target.host,
        port: target.port,
        servername: net.isIP(serverName) ? undefined : serverName,
        secureContext: secureContextFor(secure.ca),
        rejectUnauthorized: false,
        checkServerIdentity: skipNodeHostnameCheck,
        ...(secure.alpn ? { ALPNProtocols: secure.alpn } : {}),
        lookup: lookup.fn,
      })
    : net.connect({ host: target.host, port: target.port, lookup: lookup.fn });
  if (secure) skipPeerChainObjects(socket as TLSSocket);
  socket.setNoDelay(true);
  socket.once("connect", () => {
    tcpAt = performance.now();
    if (secure) ctx.stage(`TLS handshake with ${where}`);
  });
  const abandon = () => socket.destroy();
  ctx.signal.addEventListener("abort", abandon, { once: true });
  socket.once("close", () => ctx.signal.removeEventListener("abort", abandon));
  if (ctx.signal.aborted) abandon();
  const record = (readyAt: number) => {
    const resolveMs = lookup.durationMs();
    phases.resolve = resolveMs;
    if (tcpAt) phases.connect = Math.max(0, tcpAt - started - resolveMs);
    if (secure && tcpAt) phases.tls = Math.max(0, readyAt - tcpAt);
  };
  try {
    await ready(socket, secure ? "secureConnect" : "connect", ctx.signal);
  } catch (error) {
    record(performance.now());
    socket.destroy();
    throw error;
  } finally {
    facts.resolved ??= lookup.resolved(target.host);
  }
  const readyAt = performance.now();
  record(readyAt);
  facts.remoteAddress = socket.remoteAddress;
  if (!secure) return socket;
  const tlsSocket = socket as TLSSocket;
  const certificate = certificateFacts(tlsSocket, serverName, secure.ca);
  if (certificate) facts.certificate = certificate;
  facts.tlsVersion = tlsSocket.getProtocol() ?? undefined;
  const cipher = tlsSocket.getCipher();
  facts.tlsCipher = cipher?.standardName ?? cipher?.name;
  const rejected = certificate
    ? certificate.verifyError
    : tlsSocket.authorized
      ? undefined
      : String(tlsSocket.authorizationError ?? "no certificate");
  if (rejected && !secure.insecure) {
    socket.destroy();
    throw Object.assign(new Error(describeCertificateError(rejected) ?? rejected), { code: rejected });
  }
  facts.tlsAccepted = true;
  return socket;
}

/** Resolves when the socket is ready (`event`), rejects on its error, its close, or an abort. */
function ready(socket: Socket, event: "connect" | "secureConnect", signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      socket.off(event, onReady);
      socket.off("error", done);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onClose = () =>
      done(signal.reason ?? Object.assign(new Error("connection closed"), { code: "ECONNRESET" }));
    socket.once(event, onReady);
    socket.once("error", done);
    socket.once("close", onClose);
  });
}
