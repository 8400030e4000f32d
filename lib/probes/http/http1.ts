/**
 * One HTTP/1.1 request and its response over a connection the probe made itself: the request
 * written whole, the response read by a small parser as the socket delivers it. A probe needs no
 * more of HTTP than this (no keep-alive, no pipelining, no upgrade), and an HTTP library's
 * per-request machinery was most of an HTTPS probe's CPU beyond the handshake (bench/README.md).
 *
 * The response: a head (`response-head.ts`: status line and headers up to `MAX_HEAD_BYTES`), then a
 * body framed by `Transfer-Encoding: chunked`, `Content-Length`, or the connection's close (RFC 9112
 * §6); chunk lines, like head lines, may end in a bare LF.
 * Informational responses (1xx but 101) are read past, as a client must (RFC 9110 §15.2). What is
 * not HTTP fails with an `HPE_*` code, as Node's own parser names it; a connection that closes before
 * the response is complete fails with `ERR_RESPONSE_INCOMPLETE`.
 */
import type { Duplex } from "node:stream";
import { Http1Error } from "./http1-error.js";
import {
  type Framing,
  framing,
  type Http1Head,
  headEnd,
  MAX_HEAD_BYTES,
  parseHead,
} from "./response-head.js";

export interface Http1Request {
  method: string;
  /** Path and query. */
  path: string;
  /** The Host header: `host[:port]`. */
  host: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** Fails on a value that would end a header line early (a request smuggled into the probe's). */
function checked(name: string, value: string): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new Http1Error("ERR_INVALID_HTTP_TOKEN", `invalid header name "${name}"`);
  if (/[\r\n\0]/.test(value))
    throw new Http1Error("ERR_INVALID_CHAR", `invalid character in header "${name}"`);
  return `${name}: ${value}\r\n`;
}

/** The request's bytes: its line, Host, the headers given, a length for a body, and a close. */
export function requestBytes(request: Http1Request): Buffer {
  if (!/^[A-Z]+$/.test(request.method))
    throw new Http1Error("ERR_INVALID_HTTP_TOKEN", `invalid method "${request.method}"`);
  if (/[\s\0]/.test(request.path))
    throw new Http1Error("ERR_UNESCAPED_CHARACTERS", "the path holds spaces or controls");
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  let head = `${request.method} ${request.path} HTTP/1.1\r\n${checked("host", request.host)}`;
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (
      lower === "host" ||
      lower === "content-length" ||
      lower === "connection" ||
      lower === "transfer-encoding"
    )
      continue;
    head += checked(name, value);
  }
  if (body) head += `content-length: ${body.length}\r\n`;
  head += "connection: close\r\n\r\n";
  return body ? Buffer.concat([Buffer.from(head, "latin1"), body]) : Buffer.from(head, "latin1");
}

export interface Http1Handlers {
  /** The final response's head, and when its first byte arrived (performance.now()). */
  onHead(head: Http1Head, firstByteAt: number): void;
  /** Each piece of the body; false stops reading (the caller closes the socket). */
  onBody(chunk: Buffer): boolean;
}

/**
 * Writes the request on `socket` and reads the response, calling `handlers` as it goes. Resolves
 * when the body is complete (true) or reading was stopped (false); rejects on a malformed or
 * incomplete response, or the socket's own error. The caller owns the socket and closes it.
 */
export function exchangeHttp1(
  socket: Duplex,
  request: Http1Request,
  handlers: Http1Handlers,
): Promise<boolean> {
  const bytes = requestBytes(request);
  return new Promise<boolean>((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let head: Http1Head | undefined;
    let frame: Framing = { kind: "none" };
    let firstByteAt = 0;
    /** Chunked decoding: reading a size line, `left` bytes of data, or the CRLF after them. */
    let chunk:
      | { state: "size" }
      | { state: "data"; left: number }
      | { state: "crlf" }
      | { state: "trailers" } = {
      state: "size",
    };
    let settled = false;
    const finish = (error: Error | undefined, complete = true) => {
      if (settled) return;
      settled = true;
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
      if (error) reject(error);
      else resolve(complete);
    };
    const body = (data: Buffer): boolean => {
      if (data.length === 0) return true;
      if (!handlers.onBody(data)) {
        finish(undefined, false);
        return false;
      }
      return true;
    };
    /** Where to go on looking for the head's end: what was searched holds none. */
    let searched = 0;
    const readHead = (): boolean => {
      for (;;) {
        const end = headEnd(pending, searched);
        if (end === -1) {
          if (pending.length > MAX_HEAD_BYTES)
            throw new Http1Error("HPE_HEADER_OVERFLOW", "the response head is too large");
          // Not even the start of a status line: no point waiting for more.
          if (pending.length >= 5 && pending.subarray(0, 5).toString("latin1") !== "HTTP/")
            throw new Http1Error("HPE_INVALID_CONSTANT", "not an HTTP status line");
          searched = Math.max(0, pending.length - 2);
          return false;
        }
        if (end > MAX_HEAD_BYTES)
          throw new Http1Error("HPE_HEADER_OVERFLOW", "the response head is too large");
        const parsed = parseHead(pending.subarray(0, end).toString("latin1"));
        pending = pending.subarray(end);
        searched = 0;
        // 1xx (but 101) come before the final response: read past them. The final response's
        // first byte is what ends the processing phase, as blackbox's GotFirstResponseByte: it came
        // with this read if anything follows, or with a later one.
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) {
          if (pending.length === 0) firstByteAt = 0;
          continue;
        }
        head = parsed;
        frame = framing(parsed, request.method);
        handlers.onHead(parsed, firstByteAt);
        return true;
      }
    };
    /** Feeds what is pending to the body; true when the response is complete. */
    const readBody = (): boolean => {
      if (frame.kind === "none") return true;
      if (frame.kind === "close") {
        const data = pending;
        pending = Buffer.alloc(0);
        body(data);
        return false;
      }
      if (frame.kind === "length") {
        const data = pending.subarray(0, frame.left);
        pending = pending.subarray(data.length);
        frame.left -= data.length;
        if (!body(data)) return false;
        return frame.left === 0;
      }
      for (;;) {
        if (settled) return false;
        if (chunk.state === "size" || chunk.state === "crlf" || chunk.state === "trailers") {
          // What follows a chunk's data is its line end at once: anything else is no chunk.
          if (chunk.state === "crlf" && pending.length > 0 && !endsLine(pending))
            throw new Http1Error("HPE_STRICT", "no line end after a chunk");
          // A line ends in CRLF or a bare LF, as in the head.
          const eol = pending.indexOf(10);
          if (eol === -1) {
            if (pending.length > MAX_HEAD_BYTES)
              throw new Http1Error("HPE_INVALID_CHUNK_SIZE", "a chunk size line too long");
            return false;
          }
          const line = pending
            .subarray(0, eol > 0 && pending[eol - 1] === 13 ? eol - 1 : eol)
            .toString("latin1");
          pending = pending.subarray(eol + 1);
          if (chunk.state === "crlf") {
            if (line !== "") throw new Http1Error("HPE_STRICT", "no line end after a chunk");
            chunk = { state: "size" };
            continue;
          }
          if (chunk.state === "trailers") {
            if (line === "") return true;
            continue;
          }
          const size = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line)?.[1];
          if (size === undefined || size.length > 12)
            throw new Http1Error("HPE_INVALID_CHUNK_SIZE", "an invalid chunk size");
          const left = Number.parseInt(size, 16);
          chunk = left === 0 ? { state: "trailers" } : { state: "data", left };
          continue;
        }
        if (pending.length === 0) return false;
        const data = pending.subarray(0, chunk.left);
        pending = pending.subarray(data.length);
        chunk =
          data.length === chunk.left ? { state: "crlf" } : { state: "data", left: chunk.left - data.length };
        if (!body(data)) return false;
      }
    };
    const onData = (data: Buffer) => {
      if (settled) return;
      firstByteAt ||= performance.now();
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      try {
        if (!head && !readHead()) return;
        if (readBody() && !settled) finish(undefined);
      } catch (error) {
        finish(error as Error);
      }
    };
    const onEnd = () => {
      if (settled) return;
      if (head && frame.kind === "close") return finish(undefined);
      if (head && frame.kind === "none") return finish(undefined);
      finish(
        new Http1Error(
          "ERR_RESPONSE_INCOMPLETE",
          head
            ? "the connection closed before the body was complete"
            : "the connection closed before a response",
        ),
      );
    };
    const onError = (error: Error) => finish(error);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
    socket.write(bytes);
  });
}

/** Whether `data` starts with a line end (CRLF or LF), or a CR that may yet be one. */
function endsLine(data: Buffer): boolean {
  return data[0] === 10 || (data[0] === 13 && (data.length === 1 || data[1] === 10));
}
