/**
 * One HTTP/1.1 request and its response over a connection the probe made itself: the request
 * written whole, the response read by a small parser as the socket delivers it. A probe needs no
 * more of HTTP than this (no keep-alive, no pipelining, no upgrade), and an HTTP library's
 * per-request machinery was most of an HTTPS probe's CPU beyond the handshake (bench/README.md).
 *
 * The response: a status line (`HTTP/1.x NNN reason`), headers up to `MAX_HEAD_BYTES`, then a body
 * framed by `Transfer-Encoding: chunked`, `Content-Length`, or the connection's close (RFC 9112 §6).
 * Informational responses (1xx but 101) are read past, as a client must (RFC 9110 §15.2). What is
 * not HTTP fails with an `HPE_*` code, as Node's own parser names it; a connection that closes before
 * the response is complete fails with `ERR_RESPONSE_INCOMPLETE`.
 */
import type { Duplex } from "node:stream";

/** Most bytes of one response head (status line and headers), as Node's default. */
export const MAX_HEAD_BYTES = 16_384;

export interface Http1Request {
  method: string;
  /** Path and query. */
  path: string;
  /** The Host header: `host[:port]`. */
  host: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface Http1Head {
  /** `1.1`, `1.0`. */
  version: string;
  status: number;
  statusText: string;
  /** Lower-cased names; a repeated header's values in a list (`set-cookie`) or joined with `, `. */
  headers: Record<string, string | string[]>;
}

export class Http1Error extends Error {
  override name = "Http1Error";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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

const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;

function parseHead(text: string): Http1Head {
  const lines = text.split("\r\n");
  const status = STATUS_LINE.exec(lines[0] ?? "");
  if (!status) throw new Http1Error("HPE_INVALID_CONSTANT", "not an HTTP status line");
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon)))
      throw new Http1Error("HPE_INVALID_HEADER_TOKEN", "a header line without a name");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers[name];
    if (before === undefined) headers[name] = name === "set-cookie" ? [value] : value;
    else if (Array.isArray(before)) before.push(value);
    else headers[name] = `${before}, ${value}`;
  }
  return {
    version: `${status[1]}.${status[2]}`,
    status: Number(status[3]),
    statusText: status[4] ?? "",
    headers,
  };
}

type Framing = { kind: "none" } | { kind: "length"; left: number } | { kind: "chunked" } | { kind: "close" };

function framing(head: Http1Head, method: string): Framing {
  if (method === "HEAD" || head.status === 204 || head.status === 304 || head.status < 200)
    return { kind: "none" };
  const encoding = head.headers["transfer-encoding"];
  if (encoding !== undefined) {
    const codings = String(encoding)
      .toLowerCase()
      .split(",")
      .map((c) => c.trim());
    if (codings.at(-1) === "chunked") return { kind: "chunked" };
    return { kind: "close" };
  }
  const length = head.headers["content-length"];
  if (length !== undefined) {
    const values = [
      ...new Set(
        String(length)
          .split(",")
          .map((v) => v.trim()),
      ),
    ];
    if (values.length !== 1 || !/^\d+$/.test(values[0] as string))
      throw new Http1Error("HPE_UNEXPECTED_CONTENT_LENGTH", "a Content-Length that is not one number");
    return { kind: "length", left: Number(values[0]) };
  }
  return { kind: "close" };
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
    const readHead = (): boolean => {
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        if (end === -1) {
          if (pending.length > MAX_HEAD_BYTES)
            throw new Http1Error("HPE_HEADER_OVERFLOW", "the response head is too large");
          // Not even the start of a status line: no point waiting for more.
          if (pending.length >= 5 && pending.subarray(0, 5).toString("latin1") !== "HTTP/")
            throw new Http1Error("HPE_INVALID_CONSTANT", "not an HTTP status line");
          return false;
        }
        if (end > MAX_HEAD_BYTES)
          throw new Http1Error("HPE_HEADER_OVERFLOW", "the response head is too large");
        const parsed = parseHead(pending.subarray(0, end).toString("latin1"));
        pending = pending.subarray(end + 4);
        // 1xx (but 101) come before the final response: read past them.
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) continue;
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
          const eol = pending.indexOf("\r\n");
          if (eol === -1) {
            if (pending.length > MAX_HEAD_BYTES)
              throw new Http1Error("HPE_INVALID_CHUNK_SIZE", "a chunk size line too long");
            return false;
          }
          const line = pending.subarray(0, eol).toString("latin1");
          pending = pending.subarray(eol + 2);
          if (chunk.state === "crlf") {
            if (line !== "") throw new Http1Error("HPE_STRICT", "no CRLF after a chunk");
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
