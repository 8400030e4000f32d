/**
 * The ping endpoint on a local HTTP listener (`watchpost run --watch --listen HOST:PORT`), so a
 * heartbeat can be tried end to end on a laptop. Bodies are read up to the limit and no further;
 * a request that takes over 10 seconds is cut.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_BODY_BYTES, type PingEndpoint, type PingRequest } from "./endpoint.js";

export interface PingServer {
  /** `http://127.0.0.1:8787` */
  url: string;
  close(): Promise<void>;
}

/** `127.0.0.1:8787`, `[::1]:8787` or `8787` (loopback). */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  return { host: (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

export async function startPingServer(
  endpoint: PingEndpoint,
  host: string,
  port: number,
): Promise<PingServer> {
  const server: Server = createServer((req, res) => {
    void read(req).then(
      async ({ request, overLimit }) => {
        // Whatever a request does, it gets an answer and never stops the process serving it.
        const answer = await endpoint.handle(request).catch(() => ({
          status: 500,
          body: "the ping could not be handled; it was not recorded\n",
          headers: {} as Record<string, string>,
        }));
        res.writeHead(answer.status, {
          "content-type": "text/plain; charset=utf-8",
          ...answer.headers,
          // The rest of an oversized body is never read: the connection cannot be reused.
          ...(overLimit ? { connection: "close" } : {}),
        });
        res.end(req.method === "HEAD" ? undefined : answer.body, () => {
          if (overLimit) req.socket.destroy();
        });
      },
      () => {
        if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
        res.end("the request could not be read\n");
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request as the endpoint reads it; a body over the limit is counted, not kept, and not read on. */
function read(req: IncomingMessage): Promise<{ request: PingRequest; overLimit: boolean }> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const announced = Number(req.headers["content-length"] ?? 0);
  const request = (bytes: number, chunks: Buffer[]): PingRequest => ({
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    ...(req.socket.remoteAddress ? { source: req.socket.remoteAddress } : {}),
    bodyBytes: Math.max(bytes, Number.isFinite(announced) ? announced : 0),
    ...(bytes > 0 && bytes <= MAX_BODY_BYTES ? { body: Buffer.concat(chunks).toString("utf8") } : {}),
  });
  if (announced > MAX_BODY_BYTES) {
    req.pause();
    return Promise.resolve({ request: request(0, []), overLimit: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        req.pause();
        req.removeAllListeners("data");
        resolve({ request: request(bytes, []), overLimit: true });
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve({ request: request(bytes, chunks), overLimit: false }));
    req.once("error", reject);
  });
}
