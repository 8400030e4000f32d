/**
 * A forward proxy on loopback, as a VPC's egress proxy behaves: CONNECT tunnels for https,
 * absolute-form requests for http, optional Basic credentials (407 without them). `hosts` maps
 * names only the proxy knows to addresses, so a target can be reachable through it alone.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";

export interface TestProxy {
  url: string;
  port: number;
  /** What it was asked, in order: `CONNECT host:port` or `GET http://…`. */
  asked: string[];
  close(): Promise<void>;
}

export async function startProxy(
  options: {
    hosts?: Record<string, string>;
    credentials?: string;
    /** Sends its 200 to CONNECT together with the target's first bytes, in one write. */
    coalesce?: boolean;
    /** Waits this long before it connects a CONNECT's tunnel, as a slow proxy would. */
    connectDelayMs?: number;
  } = {},
): Promise<TestProxy> {
  const asked: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    socket.on("error", () => {});
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const address = (host: string) => options.hosts?.[host] ?? host;
  const allowed = (header: string | undefined) =>
    options.credentials === undefined ||
    header === `Basic ${Buffer.from(options.credentials).toString("base64")}`;
  const server = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    if (!allowed(req.headers["proxy-authorization"])) {
      res.writeHead(407, { "proxy-authenticate": "Basic" }).end();
      return;
    }
    const target = new URL(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = http.request(
      {
        host: address(target.hostname),
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connection", track);
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    if (options.connectDelayMs) {
      track(client);
      setTimeout(() => tunnel(req, client, head), options.connectDelayMs);
    } else tunnel(req, client, head);
  });
  const tunnel = (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    asked.push(`CONNECT ${req.url}`);
    track(client);
    if (!allowed(req.headers["proxy-authorization"])) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\n\r\n");
      return;
    }
    const [host, port] = (req.url ?? "").split(/:(?=\d+$)/) as [string, string];
    const upstream = net.connect({ host: address(host.replace(/^\[|\]$/g, "")), port: Number(port) });
    track(upstream);
    const established = "HTTP/1.1 200 Connection established\r\n\r\n";
    upstream.once("connect", () => {
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      if (!options.coalesce) {
        client.write(established);
        upstream.pipe(client);
        return;
      }
      upstream.once("data", (first: Buffer) => {
        client.write(Buffer.concat([Buffer.from(established), first]));
        upstream.pipe(client);
      });
    });
    upstream.once("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
