import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { exchangeHttp1, requestBytes } from "../../../../lib/probes/http/http1.js";
import { type Http1Head, MAX_HEAD_BYTES } from "../../../../lib/probes/http/response-head.js";

/** A connection whose response the test writes, piece by piece, as a peer would send it. */
function peer() {
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk);
      callback();
    },
  });
  const send = (...pieces: (string | Buffer | null)[]) => {
    for (const piece of pieces) socket.push(piece);
  };
  return { socket, written, send };
}

const PAUSE = "<pause>";

async function exchange(
  pieces: (string | Buffer | null)[],
  method = "GET",
  maxBody = Number.POSITIVE_INFINITY,
) {
  const { socket, written, send } = peer();
  let head: Http1Head | undefined;
  let firstByteAt = 0;
  const body: Buffer[] = [];
  const done = exchangeHttp1(
    socket,
    { method, path: "/health?x=1", host: "api.example.com:8443", headers: { "user-agent": "t" } },
    {
      onHead: (h, at) => {
        head = h;
        firstByteAt = at;
      },
      onBody: (chunk) => {
        body.push(chunk);
        return Buffer.concat(body).length <= maxBody;
      },
    },
  );
  const startedAt = performance.now();
  for (const piece of pieces) {
    // A pause marks where one read of the socket ends and the next, later, begins.
    if (piece === PAUSE) await new Promise((resolve) => setTimeout(resolve, 30));
    else send(piece);
  }
  const complete = await done;
  return {
    complete,
    head,
    firstByteAt,
    startedAt,
    body: Buffer.concat(body).toString(),
    request: Buffer.concat(written).toString(),
  };
}

describe("one HTTP/1.1 exchange", () => {
  it("writes one request that closes the connection, and reads a Content-Length body split anywhere", async () => {
    const r = await exchange([
      "HTTP/1.1 200 OK\r\nContent-Le",
      "ngth: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhe",
      "llo",
    ]);
    expect(r.request).toBe(
      "GET /health?x=1 HTTP/1.1\r\nhost: api.example.com:8443\r\nuser-agent: t\r\nconnection: close\r\n\r\n",
    );
    expect(r).toMatchObject({ complete: true, body: "hello" });
    expect(r.head).toEqual({
      version: "1.1",
      status: 200,
      statusText: "OK",
      headers: { "content-length": ["5"], "set-cookie": ["a=1", "b=2"] },
    });
  });

  it("decodes chunked bodies with extensions and trailers, and reads past 1xx responses", async () => {
    const r = await exchange([
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n",
      "5\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\n",
    ]);
    expect(r).toMatchObject({ complete: true, body: "wikipedia" });
    expect(r.head?.version).toBe("1.0");
  });

  it("reads to the close without a length, and nothing for HEAD, 204 and 304", async () => {
    expect(await exchange(["HTTP/1.1 200 OK\r\n\r\nall of it", null])).toMatchObject({
      complete: true,
      body: "all of it",
    });
    expect(await exchange(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"], "HEAD")).toMatchObject({
      complete: true,
      body: "",
    });
    expect(await exchange(["HTTP/1.1 204 No Content\r\n\r\n"])).toMatchObject({ complete: true, body: "" });
  });

  it("takes a bare LF as a line end in the head and in chunk lines, wherever the reads split", async () => {
    const r = await exchange([
      "HTTP/1.1 200 OK\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\n",
      "\n4\nwiki\n5;x=1\r\npedia\r\n0\nX-Trailer: y\n\n",
    ]);
    expect(r).toMatchObject({ complete: true, body: "wikipedia" });
    expect(r.head?.headers["content-type"]).toEqual(["text/plain"]);
    const closed = await exchange(["HTTP/1.0 200 OK\nServer: old\n", "\nall of it", null]);
    expect(closed).toMatchObject({ complete: true, body: "all of it" });
  });

  it("unfolds obs-fold continuation lines into one value with spaces, and keeps every occurrence", async () => {
    const r = await exchange([
      "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc \r\nSet-Cookie: s=1\r\nset-cookie: t=2\r\nContent-Length: 0\r\n\r\n",
    ]);
    expect(r.head?.headers).toEqual({
      "x-long": ["a b c"],
      "set-cookie": ["s=1", "t=2"],
      "content-length": ["0"],
    });
  });

  it("keeps each byte of a header value above ASCII as one latin1 character", async () => {
    const location = Buffer.from("/files/my report/résumé.txt");
    const r = await exchange([
      Buffer.concat([
        Buffer.from("HTTP/1.1 302 Found\r\nLocation: "),
        location,
        Buffer.from("\r\nContent-Length: 0\r\n\r\n"),
      ]),
    ]);
    expect(Buffer.from(r.head?.headers.location?.[0] ?? "", "latin1")).toEqual(location);
  });

  it("ends the processing phase at the final response's first byte, not a 1xx's", async () => {
    const later = await exchange([
      "HTTP/1.1 100 Continue\r\n\r\n",
      PAUSE,
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]);
    expect(later.firstByteAt - later.startedAt).toBeGreaterThanOrEqual(20);
    const together = await exchange([
      "HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]);
    expect(together.firstByteAt).toBeGreaterThanOrEqual(together.startedAt);
  });

  it("stops reading when the caller has enough", async () => {
    const r = await exchange(
      ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "x".repeat(60), "x".repeat(40)],
      "GET",
      50,
    );
    expect(r.complete).toBe(false);
  });

  it("names what is wrong with a response that is not HTTP, too large, framed twice or cut short", async () => {
    await expect(exchange(["SSH-2.0-OpenSSH_9.2\r\n"])).rejects.toMatchObject({
      code: "HPE_INVALID_CONSTANT",
    });
    await expect(exchange([`HTTP/1.1 200 OK\r\nX: ${"y".repeat(MAX_HEAD_BYTES)}`])).rejects.toMatchObject({
      code: "HPE_HEADER_OVERFLOW",
    });
    await expect(
      exchange(["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"]),
    ).rejects.toMatchObject({
      code: "HPE_UNEXPECTED_CONTENT_LENGTH",
    });
    await expect(
      exchange(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", null]),
    ).rejects.toMatchObject({
      code: "ERR_RESPONSE_INCOMPLETE",
    });
    await expect(
      exchange(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]),
    ).rejects.toMatchObject({
      code: "HPE_INVALID_CHUNK_SIZE",
    });
    await expect(exchange([null])).rejects.toMatchObject({ code: "ERR_RESPONSE_INCOMPLETE" });
    await expect(exchange(["HTTP/1.1 200 OK\r\n folded: x\r\n\r\n"])).rejects.toMatchObject({
      code: "HPE_INVALID_HEADER_TOKEN",
    });
    await expect(exchange(["HTTP/1.1 200 OK\r\nX: a\rContent-Length: 0\r\n\r\n"])).rejects.toMatchObject({
      code: "HPE_LF_EXPECTED",
    });
    await expect(
      exchange(["HTTP/1.1 200 OK\nContent-Length: 3\nContent-Length: 4\n\n"]),
    ).rejects.toMatchObject({ code: "HPE_UNEXPECTED_CONTENT_LENGTH" });
    await expect(
      exchange(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabcX"]),
    ).rejects.toMatchObject({ code: "HPE_STRICT" });
  });

  it("refuses a header that would end its line early, so no request is smuggled into the probe's", () => {
    expect(() =>
      requestBytes({ method: "GET", path: "/", host: "h", headers: { "x-a": "1\r\nGET /admin HTTP/1.1" } }),
    ).toThrow(/invalid character in header "x-a"/);
    expect(() => requestBytes({ method: "GET", path: "/", host: "h", headers: { "bad name": "1" } })).toThrow(
      /invalid header name/,
    );
    expect(
      requestBytes({ method: "POST", path: "/", host: "h", headers: {}, body: "héllo" }).toString(),
    ).toContain("content-length: 6\r\n");
  });
});
