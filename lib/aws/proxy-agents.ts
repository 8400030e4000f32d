/**
 * The AWS SDK's connections through the proxy the environment names, by the one rule every other
 * outbound call follows (lib/http/proxy.ts: HTTPS_PROXY, HTTP_PROXY, NO_PROXY): in a VPC whose only
 * way out is a forward proxy, DynamoDB, SNS, CloudWatch, Secrets Manager, SSM, S3, STS and the backup
 * APIs are reached through it, and what NO_PROXY names (VPC endpoints, the Lambda runtime) directly.
 * Each connection is a CONNECT tunnel, TLS and the endpoint's certificate end to end inside it; a
 * plain http endpoint (a local one) is tunnelled too, so no request is ever rewritten on its way.
 */
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type tls from "node:tls";
import { type ConnectionCallback, hostPort, ProxyError, proxyFor, tunnelConnection } from "../http/proxy.js";
import { formatDuration } from "../units.js";

/** Longest wait for the proxy to connect and answer CONNECT; the SDK call has its own bounds too. */
const TUNNEL_TIMEOUT_MS = 10_000;

type Connect = (
  options: http.RequestOptions,
  callback?: (error: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

/**
 * `createConnection` for an agent: direct (the agent's own) where no proxy applies, else a tunnel.
 * The socket waiting on the proxy keeps the process alive, as any request in flight does (an AWS call
 * outside a run has nothing else holding it), and a proxy that never answers is given up after
 * `timeoutMs`, named.
 */
function proxied(env: NodeJS.ProcessEnv, timeoutMs: number, secure: boolean, direct: Connect): Connect {
  return (options, callback) => {
    const host = String(options.hostname ?? options.host ?? "localhost").replace(/^\[|\]$/g, "");
    const port = Number(options.port || (secure ? 443 : 80));
    const authority = hostPort(host, port);
    const route = proxyFor(new URL(`${secure ? "https" : "http"}://${authority}`), undefined, env);
    if (!route || !callback) return direct(options, callback);
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new ProxyError(
            `proxy ${route.where} did not answer CONNECT ${authority} within ${formatDuration(timeoutMs)}`,
          ),
        ),
      timeoutMs,
    );
    timer.unref();
    tunnelConnection(
      route,
      controller.signal,
      new Set<Socket>(),
      !secure,
    )(
      options as tls.ConnectionOptions,
      ((error, socket) => {
        clearTimeout(timer);
        callback(error, socket as Duplex);
      }) as ConnectionCallback,
    );
    return undefined;
  };
}

class ProxyHttpsAgent extends https.Agent {
  private readonly connectVia: Connect;
  constructor(env: NodeJS.ProcessEnv, timeoutMs: number) {
    super({ keepAlive: true, maxSockets: 50 });
    this.connectVia = proxied(env, timeoutMs, true, (options, callback) =>
      super.createConnection(options, callback),
    );
  }
  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ) {
    return this.connectVia(options, callback);
  }
}

class ProxyHttpAgent extends http.Agent {
  private readonly connectVia: Connect;
  constructor(env: NodeJS.ProcessEnv, timeoutMs: number) {
    super({ keepAlive: true, maxSockets: 50 });
    this.connectVia = proxied(env, timeoutMs, false, (options, callback) =>
      super.createConnection(options, callback),
    );
  }
  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ) {
    return this.connectVia(options, callback);
  }
}

let made: { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined;

/**
 * What an SDK client's configuration adds for the proxy: its request handler's agents when the
 * environment names a proxy, nothing otherwise (the SDK's own agents, as before). One pair of agents
 * per process, shared by every client, as the SDK's own are per client.
 */
export function sdkProxy(
  env: NodeJS.ProcessEnv = process.env,
  tunnelTimeoutMs = TUNNEL_TIMEOUT_MS,
): {
  requestHandler?: { httpAgent: http.Agent; httpsAgent: https.Agent };
} {
  if (!(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY)) return {};
  if (env !== process.env || tunnelTimeoutMs !== TUNNEL_TIMEOUT_MS)
    return { requestHandler: agents(env, tunnelTimeoutMs) };
  made ??= agents(env, tunnelTimeoutMs);
  return { requestHandler: made };
}

function agents(env: NodeJS.ProcessEnv, timeoutMs: number) {
  return { httpAgent: new ProxyHttpAgent(env, timeoutMs), httpsAgent: new ProxyHttpsAgent(env, timeoutMs) };
}
