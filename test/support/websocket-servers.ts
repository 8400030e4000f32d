/**
 * Real WebSocket servers on loopback (`ws`) for the websocket probe's tests: one that echoes (and
 * keeps the headers of each upgrade), one that refuses the upgrade, one that never sends a message,
 * one that picks a subprotocol of its own; plain or TLS.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";

export interface WebsocketTarget {
  port: number;
  /** `ws://127.0.0.1:PORT` or `wss://…` */
  url: string;
  /** The headers of the latest upgrade request. */
  lastHeaders?: IncomingHttpHeaders;
  /** Close frames the server received, by code. */
  closeCodes: number[];
  close(): Promise<void>;
}

export type WebsocketBehaviour =
  | { echo: true; greeting?: string }
  | { refuse: number }
  | { silent: true }
  | { subprotocol: string | false }
  | { closeWith: number };

export async function websocketTarget(
  behaviour: WebsocketBehaviour,
  tls?: https.ServerOptions,
): Promise<WebsocketTarget> {
  const server = tls ? https.createServer(tls) : http.createServer();
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    socket.on("error", () => {});
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const target: Partial<WebsocketTarget> = { closeCodes: [] };
  const wss = new WebSocketServer({
    noServer: true,
    ...("subprotocol" in behaviour ? { handleProtocols: () => behaviour.subprotocol } : {}),
  });
  server.on("upgrade", (request, socket, head) => {
    target.lastHeaders = request.headers;
    if ("refuse" in behaviour) {
      socket.end(`HTTP/1.1 ${behaviour.refuse} Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on("error", () => {});
      ws.on("close", (code) => target.closeCodes?.push(code));
      if ("echo" in behaviour) {
        if (behaviour.greeting) ws.send(behaviour.greeting);
        ws.on("message", (data, binary) => ws.send(data, { binary }));
      }
      if ("closeWith" in behaviour) ws.on("message", () => ws.close(behaviour.closeWith, "going away now"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(target, {
    port,
    url: `${tls ? "wss" : "ws"}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        for (const socket of sockets) socket.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  }) as WebsocketTarget;
}
