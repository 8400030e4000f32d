import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  exchangeHttp1,
  type Http1Head,
  MAX_HEAD_BYTES,
  requestBytes,
} from "../../../../lib/probes/http/http1.js";

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
  const send = (...pieces: (string | null)[]) => {
    for (const piece of pieces) socket.push(piece);
  };
  return { socket, written, send };
}

async function exchange(pieces: (string | null)[], method = "GET", maxBody = Number.POSITIVE_INFINITY) {
  const { socket, written, send } = peer();
  let head: Http1Head | undefined;
  const body: Buffer[] = [];
  const done = exchangeHttp1(
    socket,
    { method, path: "/health?x=1", host: "api.example.com:8443", headers: { "user-agent": "t" } },
    {
      onHead: (h) => {
        head = h;
      },
      onBody: (chunk) => {
        body.push(chunk);
        return Buffer.concat(body).length <= maxBody;
      },
    },
  );
  send(...pieces);
  const complete = await done;
  return { complete, head, body: Buffer.concat(body).toString(), request: Buffer.concat(written).toString() };
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
      headers: { "content-length": "5", "set-cookie": ["a=1", "b=2"] },
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
