/**
 * Which proxy a request goes through, and the tunnel through it. One rule for every outbound call
 * (probes, notifiers, remote-write, the AWS SDK in the deployed function): a check's own `proxy`,
 * else `HTTPS_PROXY` for https and `HTTP_PROXY` for http (or their lower-case forms, as curl reads
 * them), unless `NO_PROXY` names the host. Plain http goes to the proxy in absolute form; https goes
 * through a CONNECT tunnel, so TLS (and the certificate checked) is still end to end.
 */
import net, { BlockList, isIP, isIPv6, type Socket } from "node:net";
import tls from "node:tls";

/** A proxy as a check writes it: a URL, credentials in it or beside it (references resolved). */
export type ProxySetting =
  | string
  | { url: string; username?: string | undefined; password?: string | undefined };

/** An http:// proxy to connect to, and the Proxy-Authorization its credentials make. */
export interface ProxyRoute {
  host: string;
  port: number;
  /** `proxy.internal:3128`: what reasons name (never the credentials). */
  where: string;
  authorization?: string;
}

export class ProxyError extends Error {
  override name = "ProxyError";
  readonly code = "ERR_PROXY";
}

/** The proxy a setting names; a URL that is not http:// is the check's setup error (`what` says whose). */
export function parseProxy(setting: ProxySetting, what: string): ProxyRoute {
  const given = typeof setting === "string" ? { url: setting } : setting;
  let url: URL;
  try {
    url = new URL(given.url.includes("://") ? given.url : `http://${given.url}`);
  } catch {
    throw new ProxyError(`${what} is not a URL such as http://proxy.internal:3128`);
  }
  if (url.protocol !== "http:")
    throw new ProxyError(
      `${what} must be an http:// proxy (a TLS connection to the proxy is not supported), found ${url.protocol}//`,
    );
  const username = given.username ?? decodeURIComponent(url.username);
  const password = given.password ?? decodeURIComponent(url.password);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 80);
  return {
    host,
    port,
    where: hostPort(host, port),
    ...(username || password
      ? { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` }
      : {}),
  };
}

/**
 * The proxy for a request to `target`: `own` (a check's `proxy`) when given, else the environment's;
 * undefined for a direct connection. NO_PROXY is read as curl reads it: `*`, host names (a leading
 * dot or not, each matching its subdomains too), IP addresses and CIDR ranges, each with an
 * optional `:port`.
 */
export function proxyFor(
  target: URL,
  own?: ProxySetting,
  env: NodeJS.ProcessEnv = process.env,
): ProxyRoute | undefined {
  if (own !== undefined) return parseProxy(own, "the check's proxy");
  const https = target.protocol === "https:";
  const name = https ? "HTTPS_PROXY" : "HTTP_PROXY";
  const setting = env[name.toLowerCase()] || env[name];
  if (!setting) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(target.port || (https ? 443 : 80));
  if (bypassed(host, port, env.no_proxy ?? env.NO_PROXY ?? "")) return undefined;
  return parseProxy(setting, name);
}

function bypassed(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(/[\s,]+/)) {
    const [entry, entryPort] = splitPort(raw.trim().toLowerCase());
    if (!entry) continue;
    if (entry === "*") return true;
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes("/")) {
      if (inRange(host, entry)) return true;
    } else if (isIP(entry) || isIP(host)) {
      if (entry === host) return true;
    } else {
      const domain = entry.replace(/^\*?\./, "");
      if (host === domain || host.endsWith(`.${domain}`)) return true;
    }
  }
  return false;
}

/** `example.com:8080`, `[::1]:80`, `10.0.0.0/8`, `::1`: the entry and its port, if it has one. */
function splitPort(entry: string): [string, number | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1] as string, bracketed[2] ? Number(bracketed[2]) : undefined];
  if (isIP(entry) === 6 || entry.includes("/")) return [entry, undefined];
  const withPort = /^(.*):(\d+)$/.exec(entry);
  return withPort ? [withPort[1] as string, Number(withPort[2])] : [entry, undefined];
}

function inRange(host: string, cidr: string): boolean {
  const family = isIP(host);
  const [network, bits] = cidr.split("/") as [string, string];
  if (!family || isIP(network) !== family || !/^\d+$/.test(bits)) return false;
  const list = new BlockList();
  const type = family === 6 ? "ipv6" : "ipv4";
  try {
    list.addSubnet(network, Number(bits), type);
  } catch {
    return false;
  }
  return list.check(host, type);
}

/** Most bytes of the proxy's answer to CONNECT. */
const MAX_ANSWER_BYTES = 16_384;

/**
 * Asks the proxy, on `socket` (connected to it), for a tunnel to `authority` (`host:port`), and
 * resolves once the proxy answered 2xx: the socket then carries the target's bytes. Rejects with a
 * ProxyError that names the proxy and its status line otherwise.
 */
export function openTunnel(socket: Socket, authority: string, proxy: ProxyRoute): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let answer = Buffer.alloc(0);
    const done = (error?: Error) => {
      // Read with 'readable', not 'data': once it is removed the socket is neither flowing nor
      // paused, so whoever reads the tunnel next (TLS, HTTP/2, an HTTP client) starts it as it would
      // a fresh connection, and the target's first bytes, pushed back, are theirs.
      socket.off("readable", onReadable);
      socket.off("error", done);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onClose = () =>
      done(
        new ProxyError(`proxy ${proxy.where} closed the connection before answering CONNECT ${authority}`),
      );
    const onReadable = () => {
      for (
        let chunk = socket.read() as Buffer | null;
        chunk !== null;
        chunk = socket.read() as Buffer | null
      ) {
        answer = Buffer.concat([answer, chunk]);
        let end = answer.indexOf("\r\n\r\n");
        let skip = 4;
        if (end === -1) {
          end = answer.indexOf("\n\n");
          skip = 2;
        }
        if (end === -1) {
          if (answer.length > MAX_ANSWER_BYTES)
            return done(
              new ProxyError(`proxy ${proxy.where} answered CONNECT ${authority} with an oversized head`),
            );
          continue;
        }
        const line = answer.subarray(0, answer.indexOf("\n")).toString("latin1").trim();
        const status = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(line);
        if (!status) return done(new ProxyError(`proxy ${proxy.where} did not answer CONNECT with HTTP`));
        const code = Number(status[1]);
        if (code < 200 || code > 299)
          return done(
            new ProxyError(
              `proxy ${proxy.where} refused the tunnel to ${authority}: ${code}${status[2] ? ` ${status[2].slice(0, 80)}` : ""}`,
            ),
          );
        const rest = answer.subarray(end + skip);
        if (rest.length > 0) socket.unshift(rest);
        return done();
      }
    };
    socket.on("readable", onReadable);
    socket.once("error", done);
    socket.once("close", onClose);
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${proxy.authorization ? `proxy-authorization: ${proxy.authorization}\r\n` : ""}\r\n`,
    );
  });
}

export type ConnectionCallback = (error: Error | null, socket?: Socket) => void;

/**
 * A request's `createConnection` through `proxy`: TCP to the proxy, CONNECT, then (unless `plain`)
 * TLS with the origin inside the tunnel (Node's own verification of its certificate). Until the
 * request owns the socket, `pending` holds it and `signal` destroys it: a proxy that never answers
 * holds nothing.
 */
export function tunnelConnection(
  proxy: ProxyRoute,
  signal: AbortSignal,
  pending: Set<Socket>,
  plain = false,
) {
  return (options: tls.ConnectionOptions, callback: ConnectionCallback): undefined => {
    const raw = net.connect({ host: proxy.host, port: proxy.port });
    pending.add(raw);
    const stop = () => raw.destroy();
    signal.addEventListener("abort", stop, { once: true });
    let settled = false;
    const settle = (error: Error | null, socket?: Socket) => {
      if (settled) return;
      settled = true;
      pending.delete(raw);
      signal.removeEventListener("abort", stop);
      if (error) {
        raw.destroy();
        callback(error);
      } else callback(null, socket);
    };
    raw.once("error", (error) => settle(error));
    raw.once("close", () =>
      settle(signal.reason ?? new ProxyError(`proxy ${proxy.where} closed the connection`)),
    );
    raw.once("connect", () => {
      const host = String(options.host ?? "").replace(/^\[|\]$/g, "");
      openTunnel(raw, hostPort(host, Number(options.port ?? (plain ? 80 : 443))), proxy).then(
        () =>
          settle(
            null,
            plain
              ? raw
              : tls.connect({
                  ...options,
                  servername: options.servername ?? (isIP(host) ? undefined : host),
                  socket: raw,
                }),
          ),
        (error: Error) => settle(error),
      );
    });
    if (signal.aborted) stop();
    return undefined;
  };
}

/** `host:port`, with brackets around an IPv6 address: a CONNECT's authority, a reason's place. */
export function hostPort(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
