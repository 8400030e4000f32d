/**
 * Benchmark targets in a process of their own (so they do not share CPU accounting with the
 * prober): HTTP and HTTPS on 127.0.0.1, each answering after DELAY_MS, or after `?delay=MS` when a
 * request names one. Prints its ports as JSON.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

const delay = Number(process.env.DELAY_MS ?? 50);
const handler: http.RequestListener = (req, res) => {
  const asked = Number(/[?&]delay=(\d+)/.exec(req.url ?? "")?.[1] ?? Number.NaN);
  setTimeout(
    () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"),
    Number.isFinite(asked) ? asked : delay,
  );
};
const plain = http.createServer(handler);
const secure = https.createServer({ key: process.env.TLS_KEY, cert: process.env.TLS_CERT }, handler);
for (const server of [plain, secure]) {
  server.on("connection", (socket) => socket.on("error", () => {}));
  server.keepAliveTimeout = 1_000;
}
await Promise.all(
  [plain, secure].map(
    (server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 4_096, resolve)),
  ),
);
process.stdout.write(
  `${JSON.stringify({ http: (plain.address() as AddressInfo).port, https: (secure.address() as AddressInfo).port })}\n`,
);
process.on("SIGTERM", () => process.exit(0));
