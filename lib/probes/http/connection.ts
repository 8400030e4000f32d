/**
 * One HTTP request on a connection of its own (no keep-alive, no TLS session resumed: every probe
 * pays the whole handshake, as blackbox_exporter's do), timed phase by phase, with the facts of the
 * response: TLS, version, length.
 */
import net, { isIP, type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import type { ProxySetting } from "../../http/proxy.js";
import type { Facts, Phase } from "../../result.js";
import { type ClientIdentity, certificateFacts, secureContextFor } from "../certificate.js";
import { describeCertificateError } from "../errors.js";
import type { ProbeContext } from "../probe.js";
import { timedLookup } from "../timing.js";
import { skipNodeHostnameCheck, skipPeerChainObjects } from "../tls-socket.js";
import { routeFor, socketReady, throughProxy } from "../tunnel.js";
import { BodyBuffer } from "./body-buffer.js";
import type { DecodeFailure } from "./content-encoding.js";
import { exchangeHttp1 } from "./http1.js";
import { Http1Error } from "./http1-error.js";
import type { Http1Head } from "./response-head.js";
import { STATUS_TEXT } from "./status-text.js";

export interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface HopOptions {
  ca: string | undefined;
  insecure: boolean;
  /** SNI and the name the certificate must match, when not the Host header's or the URL's. */
  serverName?: string | undefined;
  /** Sent when the server asks for a client certificate. */
  client?: ClientIdentity | undefined;
  /** The check's own proxy; without it, the environment's (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). */
  proxy?: ProxySetting | undefined;
  /** Keep the body (for assertions); otherwise it is counted and dropped. */
  needBody: boolean;
  maxBody: number;
}

/** One response: its status and headers, and its body when it was kept. */
export interface Hop {
  status: number;
  statusText: string;
  /** Lower-case names; each occurrence's value as latin1 text (see `Http1Head`). */
  headers: Record<string, string[]>;
  body?: Buffer;
  bodyBytes: number;
  bodyExceeded: boolean;
  /** Why the body the assertions would read is not there: an encoding not asked for, or not decodable. */
  decodeFailure?: DecodeFailure;
}

/** The phases of every hop, added up: a redirect's connection counts as blackbox counts it. */
export class Timeline {
  readonly phases: Record<Phase, number> = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  add(phase: Phase, ms: number) {
    this.phases[phase] += Math.max(0, ms);
  }
}

/** Facts of the response being read: an earlier hop's, or a hop that failed, leaves none behind. */
const HOP_FACTS = [
  "certificate",
  "tlsVersion",
  "tlsCipher",
  "tlsAccepted",
  "finalTls",
  "httpVersion",
  "contentLength",
  "lastModified",
] as const;

/** One request on a fresh connection, timed by phase into `timeline`; its facts into `facts`. */
export async function exchange(
  request: HopRequest,
  options: HopOptions,
  timeline: Timeline,
  facts: Facts,
  ctx: ProbeContext,
): Promise<Hop> {
  const { url } = request;
  const https = url.protocol === "https:";
  // What blackbox_exporter reports of TLS is the final hop's: an earlier hop's certificate goes.
  for (const key of HOP_FACTS) delete facts[key];
  const lookup = timedLookup();
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (https ? 443 : 80));
  // A Host header names the virtual host asked for (one origin by address, one name behind a
  // balancer): the TLS name is that host's, as curl's --resolve and browsers would have it.
  const hostHeader = request.headers.host ?? url.host;
  const tlsName = options.serverName ?? hostOf(hostHeader);
  const secureContext = https ? secureContextFor(options.ca, options.client) : undefined;
  const proxy = routeFor(url, options.proxy);
  const start = performance.now();
  const at = { tcp: 0, tunnel: 0 };
  // Ours to close, whatever happens: one left open keeps the process (or the Lambda sandbox) alive.
  const sockets: Socket[] = [];
  const abandon = () => {
    for (const open of sockets) open.destroy();
  };
  ctx.signal.addEventListener("abort", abandon, { once: true });
  let socket: Socket;
  try {
    const tlsOptions = {
      servername: isIP(tlsName) ? undefined : tlsName,
      secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: skipNodeHostnameCheck,
    };
    if (proxy) {
      socket = await throughProxy(proxy, url.host, https ? tlsOptions : undefined, {
        lookup: lookup.fn,
        sockets,
        at,
        tunnel: false,
        closed: incomplete,
        ctx,
      });
    } else {
      ctx.stage(`connecting to ${url.host}`);
      socket = https
        ? tls.connect({ host, port, ...tlsOptions, lookup: lookup.fn })
        : net.connect({ host, port, lookup: lookup.fn });
      sockets.push(socket);
      if (https) skipPeerChainObjects(socket as TLSSocket);
      socket.setNoDelay(true);
      socket.once("connect", () => {
        at.tcp = performance.now();
        if (https) ctx.stage(`TLS handshake with ${url.host}`);
      });
      if (ctx.signal.aborted) abandon();
      await socketReady(socket, https ? "secureConnect" : "connect", ctx.signal, incomplete);
    }
    const readyAt = performance.now();
    facts.resolved ??= lookup.resolved(proxy?.host ?? url.hostname);
    if (https) {
      const tlsSocket = socket as TLSSocket;
      facts.certificate = certificateFacts(tlsSocket, tlsName, options.ca);
      facts.tlsVersion = tlsSocket.getProtocol() ?? undefined;
      const cipher = tlsSocket.getCipher();
      facts.tlsCipher = cipher?.standardName ?? cipher?.name;
      const rejected = facts.certificate
        ? facts.certificate.verifyError
        : tlsSocket.authorized
          ? undefined
          : tlsSocket.authorizationError;
      if (!options.insecure && rejected) {
        const code = String(rejected);
        throw Object.assign(new Error(describeCertificateError(code) ?? code), { code });
      }
    }
    facts.remoteAddress = socket.remoteAddress;
    ctx.stage(`waiting for response headers from ${url.host}`);
    let head: Http1Head | undefined;
    // When the final response's first byte came off the socket: processing ends at the socket's
    // event, as blackbox's GotFirstResponseByte.
    let firstByteAt = 0;
    const kept = options.needBody ? new BodyBuffer(options.maxBody) : undefined;
    let bodyBytes = 0;
    let bodyExceeded = false;
    await exchangeHttp1(
      socket,
      {
        method: request.method,
        // Through a proxy, plain http names the whole URL (absolute form, RFC 9112 §3.2.2).
        path:
          proxy && !https ? `http://${url.host}${url.pathname}${url.search}` : `${url.pathname}${url.search}`,
        host: hostHeader,
        headers:
          proxy?.authorization && !https
            ? { ...request.headers, "proxy-authorization": proxy.authorization }
            : request.headers,
        body: request.body,
      },
      {
        onHead(received, at) {
          head = received;
          firstByteAt = at;
          facts.httpVersion = received.version;
          ctx.stage(`reading the response body from ${url.host}`);
        },
        onBody(chunk) {
          bodyBytes += chunk.length;
          if (bodyBytes > options.maxBody) {
            bodyExceeded = true;
            return false;
          }
          kept?.append(chunk);
          return true;
        },
      },
    );
    const response = head as Http1Head;
    const endAt = performance.now();
    facts.finalTls = https;
    facts.tlsAccepted = https ? true : undefined;
    facts.contentLength = contentLength(response.headers);
    const lastModified = Date.parse(response.headers["last-modified"]?.[0] ?? "");
    if (Number.isFinite(lastModified)) facts.lastModified = Math.floor(lastModified / 1000);
    const resolveMs = lookup.durationMs();
    // Through a proxy: resolve is the proxy's name, connect the proxy's and the tunnel's (https).
    const connectedAt = at.tunnel || at.tcp || readyAt;
    timeline.add("resolve", resolveMs);
    timeline.add("connect", connectedAt - start - resolveMs);
    if (https) timeline.add("tls", readyAt - connectedAt);
    // As blackbox: processing up to the response's first byte, transfer from there to the end.
    timeline.add("processing", firstByteAt - readyAt);
    timeline.add("transfer", endAt - firstByteAt);
    return {
      status: response.status,
      statusText: STATUS_TEXT[response.status] ?? "",
      headers: response.headers,
      ...(kept ? { body: kept.bytes() } : {}),
      bodyBytes,
      bodyExceeded,
    };
  } finally {
    abandon();
    ctx.signal.removeEventListener("abort", abandon);
    facts.resolved ??= lookup.resolved(proxy?.host ?? url.hostname);
  }
}

/** What a connection that closes before it is ready reads as, as a response cut short would. */
const incomplete = () => new Http1Error("ERR_RESPONSE_INCOMPLETE", "the connection closed before a response");

/** The name in a Host header (`api.example.com:8443`, `[::1]:80`): no port, no brackets. */
function hostOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(hostHeader);
  if (bracketed) return bracketed[1] as string;
  return hostHeader.replace(/:\d*$/, "");
}

/** Content-Length as Go's client reads it: -1 when absent, chunked, or not one whole number. */
function contentLength(headers: Record<string, string[]>): number {
  const encoding = headers["transfer-encoding"];
  if (encoding?.join(",").toLowerCase().includes("chunked")) return -1;
  const text = headers["content-length"]?.[0]?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : -1;
}
