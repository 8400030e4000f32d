/**
 * A connection of the probe's own to host:port, plain or over TLS, timed as blackbox_exporter times
 * its phases (resolve, connect, tls) and with the TLS facts every kind reports alike. Nothing is
 * written on it before the handshake is accepted, so headers and metadata (credentials, often) never
 * reach a peer whose certificate failed.
 */
import net, { type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import { hostPort, type ProxyRoute, type ProxySetting } from "../http/proxy.js";
import type { Facts, Phase } from "../result.js";
import { type ClientIdentity, certificateFacts, secureContextFor } from "./certificate.js";
import { describeCertificateError } from "./errors.js";
import type { ProbeContext } from "./probe.js";
import { timedLookup } from "./timing.js";
import { skipNodeHostnameCheck, skipPeerChainObjects } from "./tls-socket.js";
import { routeFor, socketReady, throughProxy } from "./tunnel.js";

export interface ConnectTarget {
  host: string;
  port: number;
  /** The check's own proxy; else the environment's (HTTPS_PROXY with TLS, HTTP_PROXY without), NO_PROXY honoured. */
  proxy?: ProxySetting;
  tls?: {
    /** SNI and the name the certificate must carry. Default: host. */
    serverName?: string;
    /** PEM bundle of trusted roots; default the system's. */
    ca?: string;
    /** Accept a certificate that does not verify (its facts are still reported). */
    insecure: boolean;
    /** Protocols offered by ALPN (`h2` for gRPC). */
    alpn?: string[];
    /** A client certificate and key for mutual TLS. */
    client?: ClientIdentity;
  };
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
  const tlsOptions: tls.ConnectionOptions = {
    servername: net.isIP(serverName) ? undefined : serverName,
    ...(secure ? { secureContext: secureContextFor(secure.ca, secure.client) } : {}),
    rejectUnauthorized: false,
    checkServerIdentity: skipNodeHostnameCheck,
    ...(secure?.alpn ? { ALPNProtocols: secure.alpn } : {}),
  };
  const proxy = routeFor(new URL(`${secure ? "https" : "http"}://${where}`), target.proxy);
  if (proxy) return tunnelled(proxy, target, tlsOptions, phases, facts, ctx);
  ctx.stage(`connecting to ${where}`);
  const socket: Socket = secure
    ? tls.connect({ host: target.host, port: target.port, ...tlsOptions, lookup: lookup.fn })
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
    await socketReady(socket, secure ? "secureConnect" : "connect", ctx.signal, connectionClosed);
  } catch (error) {
    record(performance.now());
    socket.destroy();
    throw error;
  } finally {
    facts.resolved ??= lookup.resolved(target.host);
  }
  record(performance.now());
  return accepted(socket, target, serverName, facts);
}

/**
 * Through a proxy, always a CONNECT tunnel (HTTP/2 and WebSocket are not requests a proxy could
 * forward). The phases mean what they mean for http: `resolve` the proxy's name, `connect` the TCP
 * connection to the proxy and its answer to CONNECT, `tls` the handshake with the target. The remote
 * address is the proxy's.
 */
async function tunnelled(
  proxy: ProxyRoute,
  target: ConnectTarget,
  tlsOptions: tls.ConnectionOptions,
  phases: Partial<Record<Phase, number>>,
  facts: Facts,
  ctx: ProbeContext,
): Promise<Socket> {
  const lookup = timedLookup();
  const started = performance.now();
  const sockets: Socket[] = [];
  const at = { tcp: 0, tunnel: 0 };
  const abandon = () => {
    for (const open of sockets) open.destroy();
  };
  ctx.signal.addEventListener("abort", abandon, { once: true });
  /** The phases as far as they got, `readyAt` the end of the handshake (or of the failure). */
  const record = (readyAt: number) => {
    const resolveMs = lookup.durationMs();
    phases.resolve = resolveMs;
    // Connected to the proxy but no tunnel: connect runs to the failure, as a direct connect's would.
    const tunnelAt = at.tunnel || (at.tcp ? readyAt : 0);
    if (tunnelAt) phases.connect = Math.max(0, tunnelAt - started - resolveMs);
    if (target.tls && at.tunnel) phases.tls = Math.max(0, readyAt - at.tunnel);
    facts.resolved ??= lookup.resolved(proxy.host);
  };
  let socket: Socket;
  try {
    socket = await throughProxy(
      proxy,
      hostPort(target.host, target.port),
      target.tls ? tlsOptions : undefined,
      {
        lookup: lookup.fn,
        sockets,
        at,
        tunnel: true,
        closed: connectionClosed,
        ctx,
      },
    );
  } catch (error) {
    record(performance.now());
    abandon();
    ctx.signal.removeEventListener("abort", abandon);
    throw error;
  }
  record(performance.now());
  // The run's abort still closes it while the caller uses it, as a direct connection's does.
  sockets[0]?.once("close", () => ctx.signal.removeEventListener("abort", abandon));
  return accepted(socket, target, target.tls?.serverName ?? target.host, facts);
}

/** The TLS facts of a ready connection; rejects (destroying it) a certificate that did not verify. */
function accepted(socket: Socket, target: ConnectTarget, serverName: string, facts: Facts): Socket {
  const secure = target.tls;
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

/** What a connection that closes before it is ready reads as. */
const connectionClosed = () => Object.assign(new Error("connection closed"), { code: "ECONNRESET" });
