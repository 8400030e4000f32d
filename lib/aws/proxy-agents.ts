/**
 * The AWS SDK's connections through the proxy the environment names, by the one rule every other
 * outbound call follows (lib/http/proxy.ts: HTTPS_PROXY, HTTP_PROXY, NO_PROXY): in a VPC whose only
 * way out is a forward proxy, DynamoDB, SNS, CloudWatch, Secrets Manager, SSM, S3, STS and the backup
 * APIs are reached through it, and what NO_PROXY names (VPC endpoints, the Lambda runtime) directly.
 * https goes through a CONNECT tunnel (TLS and the endpoint's certificate stay end to end); plain
 * http (a local endpoint) is sent to the proxy in absolute form, as curl does.
 */
import http from "node:http";
import https from "node:https";
import { isIPv6, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type tls from "node:tls";
import { proxyFor, tunnelConnection } from "../http/proxy.js";

/** Longest wait for the proxy to connect and answer CONNECT; the SDK call has its own bounds too. */
const TUNNEL_TIMEOUT_MS = 10_000;

type ConnectionCallback = (error: Error | null, socket?: Socket) => void;

function authority(
  host: string | null | undefined,
  port: number | string | null | undefined,
  fallback: number,
) {
  const bare = String(host ?? "localhost").replace(/^\[|\]$/g, "");
  return `${isIPv6(bare) ? `[${bare}]` : bare}:${port || fallback}`;
}

class ProxyHttpsAgent extends https.Agent {
  constructor(private readonly env: NodeJS.ProcessEnv) {
    super({ keepAlive: true, maxSockets: 50 });
  }

  // Node's Agent takes the connection from the callback when this returns nothing.
  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const route = proxyFor(
      new URL(`https://${authority(options.host, options.port, 443)}`),
      undefined,
      this.env,
    );
    if (!route || !callback) return super.createConnection(options, callback);
    return tunnelConnection(
      route,
      AbortSignal.timeout(TUNNEL_TIMEOUT_MS),
      new Set(),
    )(options as tls.ConnectionOptions, callback as ConnectionCallback);
  }
}

interface AgentInternals {
  addRequest(request: http.ClientRequest, options: http.RequestOptions): void;
}

class ProxyHttpAgent extends http.Agent {
  constructor(private readonly env: NodeJS.ProcessEnv) {
    super({ keepAlive: true, maxSockets: 50 });
  }

  /** Before the request's head is written: point it at the proxy, its target in absolute form. */
  addRequest(request: http.ClientRequest, options: http.RequestOptions): void {
    const origin = authority(options.hostname ?? options.host, options.port, 80);
    const route = proxyFor(new URL(`http://${origin}`), undefined, this.env);
    const add = (http.Agent.prototype as unknown as AgentInternals).addRequest.bind(this);
    if (!route) {
      add(request, options);
      return;
    }
    request.path = `http://${origin}${request.path}`;
    if (route.authorization) request.setHeader("proxy-authorization", route.authorization);
    add(request, { ...options, host: route.host, hostname: route.host, port: route.port });
  }
}

let made: { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined;

/**
 * What an SDK client's configuration adds for the proxy: its request handler's agents when the
 * environment names a proxy, nothing otherwise (the SDK's own agents, as before). One pair of agents
 * per process, shared by every client, as the SDK's own are per client.
 */
export function sdkProxy(env: NodeJS.ProcessEnv = process.env): {
  requestHandler?: { httpAgent: http.Agent; httpsAgent: https.Agent };
} {
  if (!(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY)) return {};
  if (env !== process.env) return { requestHandler: agents(env) };
  made ??= agents(env);
  return { requestHandler: made };
}

function agents(env: NodeJS.ProcessEnv) {
  return { httpAgent: new ProxyHttpAgent(env), httpsAgent: new ProxyHttpsAgent(env) };
}
