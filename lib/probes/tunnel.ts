/**
 * A probe's connection through a forward proxy, for every kind that connects (http, grpc, websocket):
 * TCP to the proxy, a CONNECT tunnel to the target (unless plain http goes in absolute form), then
 * TLS with the target inside it. The timestamps it leaves are the phases' edges: `connect` ends when
 * the tunnel is open (or, without one, when the proxy accepted the connection).
 */
import net, { type LookupFunction, type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import { openTunnel, ProxyError, type ProxyRoute, type ProxySetting, proxyFor } from "../http/proxy.js";
import { describeNetworkError } from "./errors.js";
import { CheckSetupError, type ProbeContext } from "./probe.js";
import { skipPeerChainObjects } from "./tls-socket.js";

/**
 * The proxy a check's connection to `target` goes through, if any: its own `proxy`, else the
 * environment's. A proxy setting that cannot be used is the check's setup error (`unknown`, the
 * target never asked), not the target's failure.
 */
export function routeFor(target: URL, own: ProxySetting | undefined): ProxyRoute | undefined {
  try {
    return proxyFor(target, own);
  } catch (error) {
    throw new CheckSetupError((error as Error).message, { cause: error });
  }
}

export interface TunnelOptions {
  lookup: LookupFunction;
  /** Every socket opened is added here: the caller destroys them when done or aborted. */
  sockets: Socket[];
  /** Set as it goes: when the proxy accepted the connection, and when the tunnel was open. */
  at: { tcp: number; tunnel: number };
  /** A CONNECT tunnel even without TLS (HTTP/2, WebSocket); plain http goes in absolute form. */
  tunnel: boolean;
  /** The error a socket that closes before it is ready rejects with. */
  closed: () => Error;
  ctx: ProbeContext;
}

/**
 * A connection to `authority` (`host:port`) through `proxy`; with `tlsOptions`, the TLS handshake
 * with the target done inside the tunnel. A failure before the tunnel is the proxy's, named so.
 */
export async function throughProxy(
  proxy: ProxyRoute,
  authority: string,
  tlsOptions: tls.ConnectionOptions | undefined,
  options: TunnelOptions,
): Promise<Socket> {
  const { ctx, at } = options;
  ctx.stage(`connecting to proxy ${proxy.where}`);
  const raw = net.connect({ host: proxy.host, port: proxy.port, lookup: options.lookup });
  options.sockets.push(raw);
  raw.setNoDelay(true);
  if (ctx.signal.aborted) raw.destroy();
  try {
    await socketReady(raw, "connect", ctx.signal, options.closed);
    at.tcp = performance.now();
    if (!tlsOptions && !options.tunnel) return raw;
    ctx.stage(`opening a tunnel to ${authority} through proxy ${proxy.where}`);
    await openTunnel(raw, authority, proxy);
    at.tunnel = performance.now();
  } catch (error) {
    if (ctx.signal.aborted || error instanceof ProxyError) throw error;
    throw new ProxyError(describeNetworkError(error, `proxy ${proxy.where}`), { cause: error });
  }
  if (!tlsOptions) return raw;
  ctx.stage(`TLS handshake with ${authority}`);
  const socket = tls.connect({ ...tlsOptions, socket: raw });
  options.sockets.push(socket);
  skipPeerChainObjects(socket as TLSSocket);
  await socketReady(socket, "secureConnect", ctx.signal, options.closed);
  return socket;
}

/** Resolves when the socket is ready (`event`); rejects on its error, its close, or an abort. */
export function socketReady(
  socket: Socket,
  event: "connect" | "secureConnect",
  signal: AbortSignal,
  closed: () => Error,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      socket.off(event, onReady);
      socket.off("error", done);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onClose = () => done(signal.reason ?? closed());
    socket.once(event, onReady);
    socket.once("error", done);
    socket.once("close", onClose);
  });
}
