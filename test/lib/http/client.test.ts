import { execFile } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../../lib/http/client.js";
import { bundle } from "../../support/bundle.js";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "../../..");

interface Peer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Resolves when every connection accepted so far has closed. */
  allClosed(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A real listener on loopback that counts its connections and knows when they close. */
async function peer(server: net.Server, scheme = "http"): Promise<Peer> {
  const open = new Set<Promise<void>>();
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  server.on("connection", (socket: net.Socket) => {
    socket.on("error", () => {});
    // Read what arrives, as any receiver does: a socket left paused never sees the client hang up.
    socket.resume();
    state.connections++;
    sockets.add(socket);
    open.add(new Promise<void>((resolve) => socket.once("close", () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    allClosed: async () => {
      await Promise.all(open);
    },
  };
}

const clients: HttpClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
function client(options?: ConstructorParameters<typeof HttpClient>[0]): HttpClient {
  const made = new HttpClient(options);
  clients.push(made);
  return made;
}

const inTime = () => AbortSignal.timeout(5_000);

describe("the outbound HTTP client", () => {
  it("sends the method, headers, body and its length, and gives the status, headers and body", async () => {
    const seen: { method?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const echo = await peer(
      http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => {
          body += chunk;
        });
        req.on("end", () => {
          Object.assign(seen, { method: req.method, headers: req.headers, body });
          res.writeHead(202, { "retry-after": "3" }).end("taken");
        });
      }),
    );
    const answer = await client().request({
      url: new URL(`${echo.url}/api/v1/write?x=1`),
      method: "POST",
      headers: { "content-type": "application/json", "x-scope-orgid": "t" },
      body: '{"é":1}',
      signal: inTime(),
    });
    expect(answer).toMatchObject({ status: 202, headers: { "retry-after": "3" } });
    expect(answer.body.toString()).toBe("taken");
    expect(seen).toMatchObject({
      method: "POST",
      body: '{"é":1}',
      headers: { "content-type": "application/json", "x-scope-orgid": "t", "content-length": "8" },
    });
  });

  it("keeps one connection for requests one after another, and close() destroys it", async () => {
    const ok = await peer(http.createServer((_req, res) => res.end("ok")));
    const mine = client();
    for (let i = 0; i < 3; i++) {
      const answer = await mine.request({
        url: new URL(ok.url),
        method: "GET",
        headers: {},
        signal: inTime(),
      });
      expect(answer.status).toBe(200);
    }
    expect(ok.connections).toBe(1);
    mine.close();
    await ok.allClosed();
  });

  it("keeps at most maxAnswerBytes of an endless body, and does not wait for its end", async () => {
    const endless = await peer(
      http.createServer((_req, res) => {
        res.writeHead(500);
        const more = () => {
          while (res.write(Buffer.alloc(16_384, "x")));
          res.once("drain", more);
        };
        more();
      }),
    );
    const answer = await client({ maxAnswerBytes: 1_000 }).request({
      url: new URL(endless.url),
      method: "GET",
      headers: {},
      signal: inTime(),
    });
    expect(answer.status).toBe(500);
    expect(answer.body.length).toBe(1_000);
    await endless.allClosed();
  });

  it("says so when the connection closes before the answer is complete", async () => {
    const cut = await peer(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-length": "100" });
        res.write("only part", () => res.destroy());
      }),
    );
    await expect(
      client().request({ url: new URL(cut.url), method: "GET", headers: {}, signal: inTime() }),
    ).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it.each([
    ["a receiver that accepts and never answers", "http"],
    ["a TLS receiver that never finishes its handshake", "https"],
  ])(
    "ends a request to %s when its signal fires, with its reason, its socket destroyed",
    async (_, scheme) => {
      const silent = await peer(net.createServer(), scheme);
      const started = performance.now();
      await expect(
        client().request({
          url: new URL(`${silent.url}/api/v1/write`),
          method: "POST",
          headers: {},
          body: "x",
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toMatchObject({ name: "TimeoutError" });
      // Far below the test's own timeout: the request does not outlive its signal.
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(silent.connections).toBe(1);
      await silent.allClosed();
    },
  );

  it("connects nowhere for a signal that has already fired", async () => {
    const unused = await peer(net.createServer());
    const stopped = AbortSignal.abort();
    await expect(
      client().request({ url: new URL(unused.url), method: "GET", headers: {}, signal: stopped }),
    ).rejects.toBe(stopped.reason);
    expect(unused.connections).toBe(0);
  });

  it("lets the process exit with a kept-alive connection idle and the client never closed", async () => {
    const keeping = await peer(http.createServer((_req, res) => res.end("ok")));
    const child = await bundle(path.join(root, "test/support/http-client-child.ts"));
    const { stdout } = await run(process.execPath, [child, keeping.url], { timeout: 30_000 });
    const outcome = JSON.parse(stdout) as { status: number; exitAfterMs: number };
    expect(outcome.status).toBe(200);
    // An idle socket holding the process would keep it until the idle timeout (4 s) closed it.
    expect(outcome.exitAfterMs).toBeLessThan(2_000);
  });
});
