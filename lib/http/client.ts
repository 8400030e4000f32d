/**
 * The one client for Watchpost's own outbound HTTP (notification channels, remote-write, any sink
 * that posts what it writes): Node's own `http` and `https`, so nothing is added to the function's
 * bundle and nothing depends on a library's internal files. (The http probe has its own HTTP/1.1
 * exchange on connections it times: lib/probes/http/.)
 *
 * Every socket it opens is accounted for: a request's signal destroys that request's socket at
 * once, whether it is connecting, in its TLS handshake, or waiting for an answer that never comes;
 * an idle kept-alive socket never holds the process open; `close()` destroys whatever is left. Where
 * a request connects is decided in one place (`route`), which is where a proxy goes.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { proxyFor, tunnelConnection } from "./proxy.js";

export interface HttpClientOptions {
  /** Connections open at once to one origin. Default: as many as requests in flight. */
  connections?: number;
  /** Most bytes of an answer's body kept; the rest is not read. Default 64 KiB. */
  maxAnswerBytes?: number;
}

export interface OutgoingRequest {
  url: URL;
  method: "GET" | "POST";
  headers: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
  /** Ends the request, its socket destroyed; the promise rejects with the signal's reason. */
  signal: AbortSignal;
  /**
   * TLS of its own (a CA to trust, a client certificate and key, PEM): the request gets a connection
   * of its own, never one kept alive for requests without them.
   */
  tls?: { ca?: string; cert?: string; key?: string };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, or its first `maxAnswerBytes`. */
  body: Buffer;
}

/** How long an idle kept-alive socket waits for its next request before it is closed. */
const IDLE_SOCKET_MS = 4_000;

export class HttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly maxAnswerBytes: number;
  /** Sockets to a proxy still opening their tunnel (not yet a request's). */
  private readonly tunnels = new Set<Socket>();

  constructor(options: HttpClientOptions = {}) {
    const agentOptions = {
      keepAlive: true,
      timeout: IDLE_SOCKET_MS,
      ...(options.connections !== undefined ? { maxSockets: options.connections } : {}),
    };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.maxAnswerBytes = options.maxAnswerBytes ?? 65_536;
  }

  request(request: OutgoingRequest): Promise<Answer> {
    const { signal } = request;
    if (signal.aborted) return Promise.reject(signal.reason);
    const body = typeof request.body === "string" ? Buffer.from(request.body) : request.body;
    return new Promise<Answer>((resolve, reject) => {
      let route: http.RequestOptions;
      try {
        route = this.route(request.url, signal);
      } catch (error) {
        reject(error);
        return;
      }
      const outgoing = (request.url.protocol === "https:" ? https : http).request({
        ...route,
        // A connection of its own for TLS settings of its own (a tunnel already is one).
        ...(request.tls ? { ...request.tls, ...(route.createConnection ? {} : { agent: false }) } : {}),
        method: request.method,
        headers: {
          ...request.headers,
          ...route.headers,
          ...(body ? { "content-length": String(body.byteLength) } : {}),
        },
      });
      let settled = false;
      const settle = (error: unknown, answer?: Answer) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        if (error === undefined) resolve(answer as Answer);
        else {
          outgoing.destroy();
          reject(error);
        }
      };
      const onAbort = () => settle(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      outgoing.on("error", settle);
      outgoing.once("response", (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const answer = () => ({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        });
        response.on("data", (chunk: Buffer) => {
          const room = this.maxAnswerBytes - kept;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          kept += Math.min(chunk.length, room);
          if (chunk.length < room) return;
          // Enough to report; the rest of the body is not worth the wait, nor the socket worth keeping.
          settle(undefined, answer());
          response.destroy();
        });
        response.once("end", () => settle(undefined, answer()));
        response.on("error", settle);
        response.once("close", () => {
          if (!response.complete)
            settle(
              Object.assign(new Error("the connection closed before the answer was complete"), {
                code: "ECONNRESET",
              }),
            );
        });
      });
      outgoing.end(body);
    });
  }

  /** Destroys every socket the client holds; a request still in flight fails. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
    for (const socket of this.tunnels) socket.destroy();
  }

  /**
   * Where a request for `url` connects, and the request target it sends there: the origin itself,
   * or the proxy the environment names for it (HTTPS_PROXY, HTTP_PROXY, NO_PROXY: lib/http/proxy.ts).
   */
  private route(url: URL, signal: AbortSignal): http.RequestOptions {
    const https = url.protocol === "https:";
    const proxy = proxyFor(url);
    if (!proxy)
      return {
        agent: https ? this.agents.https : this.agents.http,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (https ? 443 : 80),
        path: `${url.pathname}${url.search}`,
      };
    const authorization = proxy.authorization ? { "proxy-authorization": proxy.authorization } : {};
    if (!https)
      return {
        agent: this.agents.http,
        hostname: proxy.host,
        port: proxy.port,
        path: `http://${url.host}${url.pathname}${url.search}`,
        headers: { host: url.host, ...authorization },
      };
    // A tunnel per request (no agent): its socket is this request's to destroy, even mid-CONNECT.
    return {
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || 443,
      path: `${url.pathname}${url.search}`,
      createConnection: tunnelConnection(
        proxy,
        signal,
        this.tunnels,
      ) as http.RequestOptions["createConnection"],
    };
  }
}

let shared: HttpClient | undefined;

/** One client for the process's occasional requests (notifications), made on first use. */
export function sharedClient(): HttpClient {
  shared ??= new HttpClient();
  return shared;
}
