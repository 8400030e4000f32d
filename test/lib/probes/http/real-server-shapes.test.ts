/**
 * Responses real servers send that an HTTP/1.1 reader must take as curl and blackbox_exporter take
 * them (RFC 9112's leniencies for a user agent), each from a raw TCP peer writing exact bytes.
 */
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { probe } from "../../../support/checks.js";
import { type Target, tcpTarget } from "../../../support/servers.js";

/** A peer that answers each request with `answer(requestHead)`, keeping the connection open. */
async function withPeer<T>(
  answer: (request: string, socket: Socket) => void,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const peer: Target = await tcpTarget((socket) => {
    let request = "";
    socket.on("data", (data: Buffer) => {
      request += data.toString("latin1");
      if (request.includes("\r\n\r\n")) {
        answer(request, socket);
        request = "";
      }
    });
  });
  try {
    return await use(`http://127.0.0.1:${peer.port}`);
  } finally {
    await peer.close();
  }
}

describe("http probe: lenient where RFC 9112 says a user agent may be", () => {
  it("is up when the head ends lines with a bare LF and the server keeps the connection open", async () => {
    const result = await withPeer(
      (_request, socket) =>
        socket.write("HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 2\n\nok"),
      (url) => probe({ timeout: "2s", http: { url: `${url}/`, expect: { bodyContains: ["ok"] } } }),
    );
    expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
  });

  it("is up on a chunked body whose lines end in a bare LF", async () => {
    const result = await withPeer(
      (_request, socket) =>
        socket.write("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n3\n!!!\n0\n\n"),
      (url) => probe({ timeout: "2s", http: { url: `${url}/`, expect: { bodyMatches: "^ok!!!$" } } }),
    );
    expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
  });

  it("unfolds an obs-fold continuation into the value, with a space", async () => {
    const result = await withPeer(
      (_request, socket) =>
        socket.write("HTTP/1.1 200 OK\r\nX-Policy: a=1;\r\n b=2\r\nContent-Length: 0\r\n\r\n"),
      (url) =>
        probe({
          timeout: "2s",
          http: { url: `${url}/`, expect: { headers: { "X-Policy": { equals: "a=1; b=2" } } } },
        }),
    );
    expect([result.status, result.reason]).toEqual(["up", "200 OK"]);
  });

  it("matches a header sent twice when either occurrence matches, and says what was sent when none does", async () => {
    const answer = (_request: string, socket: Socket) =>
      socket.write(
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: session=xyz\r\nContent-Length: 0\r\n\r\n",
      );
    const up = await withPeer(answer, (url) =>
      probe({
        timeout: "2s",
        http: { url: `${url}/`, expect: { headers: { "set-cookie": { matches: "^session=" } } } },
      }),
    );
    expect([up.status, up.reason]).toEqual(["up", "200 OK"]);
    const down = await withPeer(answer, (url) =>
      probe({
        timeout: "2s",
        http: { url: `${url}/`, expect: { headers: { "set-cookie": { equals: "b=2" } } } },
      }),
    );
    expect([down.status, down.reason]).toEqual([
      "down",
      'header set-cookie is "a=1", "session=xyz" (sent 2 times), expected "b=2"',
    ]);
  });

  it("follows a Location in raw UTF-8 to the path curl requests, and matches a UTF-8 header as text", async () => {
    const paths: string[] = [];
    const result = await withPeer(
      (request, socket) => {
        const path = request.split(" ")[1] as string;
        paths.push(path);
        if (path === "/start")
          socket.write(
            Buffer.concat([
              Buffer.from("HTTP/1.1 302 Found\r\nLocation: /files/my report/"),
              Buffer.from("résumé.txt"),
              Buffer.from("\r\nContent-Length: 0\r\n\r\n"),
            ]),
          );
        else if (path === "/files/my%20report/r%C3%A9sum%C3%A9.txt")
          socket.write(
            Buffer.concat([
              Buffer.from('HTTP/1.1 200 OK\r\nContent-Disposition: inline; filename="'),
              Buffer.from("résumé.txt"),
              Buffer.from('"\r\nContent-Length: 0\r\n\r\n'),
            ]),
          );
        else socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      },
      (url) =>
        probe({
          timeout: "2s",
          http: {
            url: `${url}/start`,
            expect: { headers: { "content-disposition": { matches: "résumé" } } },
          },
        }),
    );
    expect(paths).toEqual(["/start", "/files/my%20report/r%C3%A9sum%C3%A9.txt"]);
    expect([result.status, result.reason]).toEqual(["up", "200 OK after 1 redirect(s)"]);
  });

  it("times processing to the final response's first byte, past a 100 Continue sent at once", async () => {
    const result = await withPeer(
      (_request, socket) => {
        socket.write("HTTP/1.1 100 Continue\r\n\r\n");
        setTimeout(() => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 300);
      },
      (url) => probe({ timeout: "3s", http: { url: `${url}/` } }),
    );
    expect(result.status).toBe("up");
    expect(result.phases?.processing).toBeGreaterThanOrEqual(250);
  });
});
