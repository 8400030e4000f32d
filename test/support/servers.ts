/** Real listeners on loopback for probe tests; each closes everything it opened. */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";

export interface Target {
  port: number;
  url: string;
  close(): Promise<void>;
}

async function start(server: net.Server, scheme: string): Promise<Target> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    // Probes hang up abruptly (timeouts, TLS failures): a reset is expected, not a test error.
    socket.on("error", () => {});
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function httpTarget(handler: http.RequestListener): Promise<Target> {
  return start(http.createServer(handler), "http");
}

export function httpsTarget(
  tls: { key: string; cert: string },
  handler: http.RequestListener,
): Promise<Target> {
  return start(https.createServer(tls, handler), "https");
}

/** A webhook receiver that keeps each JSON body it was sent, in order, and tells `onReceive`. */
export async function webhookReceiver<T = WebhookBody>(
  onReceive: () => void = () => {},
): Promise<{ hook: Target; received: T[] }> {
  const received: T[] = [];
  const hook = await httpTarget((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
      onReceive();
    });
  });
  return { hook, received };
}

/** What Watchpost's webhook channel sends, as far as the tests look. */
export interface WebhookBody {
  type: string;
  subject: string;
  transitions: { check: string; status: string; dedupKey: string; location: string; reason: string }[];
}

/** A raw TCP peer: `onSocket` decides what (if anything) it says. */
export function tcpTarget(onSocket: (socket: net.Socket) => void): Promise<Target> {
  return start(net.createServer(onSocket), "tcp");
}

/** A port on 127.0.0.1 with nothing listening (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The misbehaving endpoints the probe and peer tests share. */
export const routes: http.RequestListener = (req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  switch (url.pathname) {
    case "/ok":
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end('{"status":"ok","items":[{"id":7}]}');
    case "/fail":
      return void res.writeHead(503).end("down for maintenance");
    case "/hang":
      return; // never answers
    case "/slow-headers":
      return void setTimeout(() => res.writeHead(200).end("late"), Number(url.searchParams.get("ms") ?? 300));
    case "/slow-body": {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part ");
      return void setTimeout(() => res.end("and the rest"), Number(url.searchParams.get("ms") ?? 300));
    }
    case "/stall-body":
      res.writeHead(200);
      res.write("partial");
      return; // body never completes
    case "/loop-a":
      return void res.writeHead(302, { location: "/loop-b" }).end();
    case "/loop-b":
      return void res.writeHead(302, { location: "/loop-a" }).end();
    case "/redirect":
      return void res.writeHead(301, { location: "/ok" }).end();
    case "/to":
      return void res.writeHead(302, { location: url.searchParams.get("url") ?? "/ok" }).end();
    case "/modified":
      return void res
        .writeHead(200, { "last-modified": "Sun, 22 Nov 2026 08:00:00 GMT", "transfer-encoding": "chunked" })
        .end("fresh");
    case "/chain": {
      const n = Number(url.searchParams.get("n") ?? 0);
      return void res.writeHead(302, { location: n > 0 ? `/chain?n=${n - 1}` : "/ok" }).end();
    }
    case "/not-json":
      return void res.writeHead(200, { "content-type": "application/json" }).end("{not json");
    case "/echo":
      return void req.pipe(res.writeHead(200, { "x-method": req.method ?? "" }));
    case "/headers":
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(req.headers));
    case "/stream": {
      const total = Number(url.searchParams.get("bytes") ?? 1_048_576);
      const chunk = Buffer.alloc(65_536, 0x61);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += part.length;
          if (!res.write(part)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => {
        sent = total;
      });
      return pump();
    }
    default:
      return void res.writeHead(404).end("no such route");
  }
};
