/**
 * A response head read as RFC 9112 asks of a user agent, and as curl and Go read one: a line may end
 * in a bare LF (§2.2), an obs-fold continuation is replaced by a space (§5.2), and every occurrence
 * of a repeated header is kept. Strict where leniency would let a response be framed two ways:
 * Content-Lengths that differ, a header name with whitespace, a CR inside a line.
 */
import { Http1Error } from "./http1-error.js";

/** Most bytes of one response head (status line and headers), as Node's default. */
export const MAX_HEAD_BYTES = 16_384;

export interface Http1Head {
  /** `1.1`, `1.0`. */
  version: string;
  status: number;
  statusText: string;
  /**
   * Lower-cased names; each occurrence's value in the order sent, as latin1 text: one character per
   * byte, so nothing the server sent is lost or replaced (`headerText` reads it as UTF-8 where it is).
   */
  headers: Record<string, string[]>;
}

/**
 * Where the head in `buffer` ends, just past its empty line, or -1. Lines end in CRLF or a bare LF;
 * `from` is where to resume looking (two bytes before the end of what was searched last).
 */
export function headEnd(buffer: Buffer, from: number): number {
  let at = buffer.indexOf(10, from);
  while (at !== -1) {
    const next = buffer[at + 1];
    if (next === 10) return at + 2;
    if (next === 13 && buffer[at + 2] === 10) return at + 3;
    at = buffer.indexOf(10, at + 1);
  }
  return -1;
}

const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/** The head's text (latin1, up to its empty line) as status and headers. */
export function parseHead(text: string): Http1Head {
  const lines = text.split("\n");
  const statusLine = lineText(lines[0] ?? "");
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new Http1Error("HPE_INVALID_CONSTANT", "not an HTTP status line");
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lineText(lines[i] as string);
    if (line === "") continue;
    if (line[0] === " " || line[0] === "\t") {
      // obs-fold: the previous header's value goes on, after one space.
      if (!last) throw new Http1Error("HPE_INVALID_HEADER_TOKEN", "a continuation line before any header");
      const folded = line.replace(OWS, "");
      const at = last.length - 1;
      const before = last[at] as string;
      last[at] = before === "" ? folded : folded === "" ? before : `${before} ${folded}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0 || /[ \t]/.test(line.slice(0, colon)))
      throw new Http1Error("HPE_INVALID_HEADER_TOKEN", "a header line without a name");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(OWS, "");
    last = headers[name];
    if (last) last.push(value);
    else headers[name] = last = [value];
  }
  return {
    version: `${status[1]}.${status[2]}`,
    status: Number(status[3]),
    statusText: status[4] ?? "",
    headers,
  };
}

/** A line without its CR; a CR anywhere else could end the line for one reader and not another. */
function lineText(line: string): string {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.includes("\r")) throw new Http1Error("HPE_LF_EXPECTED", "a bare CR inside a header line");
  return text;
}

export type Framing =
  | { kind: "none" }
  | { kind: "length"; left: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** How the body is delimited (RFC 9112 §6.3). */
export function framing(head: Http1Head, method: string): Framing {
  if (method === "HEAD" || head.status === 204 || head.status === 304 || head.status < 200)
    return { kind: "none" };
  const encoding = head.headers["transfer-encoding"];
  if (encoding !== undefined) {
    const codings = encoding.join(",").toLowerCase().split(",");
    return codings.at(-1)?.trim() === "chunked" ? { kind: "chunked" } : { kind: "close" };
  }
  const length = head.headers["content-length"];
  if (length !== undefined) {
    const [first = ""] = length;
    if (length.length === 1 && /^\d+$/.test(first)) return { kind: "length", left: Number(first) };
    const values = new Set(length.flatMap((value) => value.split(",").map((v) => v.trim())));
    const [only] = values;
    if (values.size !== 1 || !/^\d+$/.test(only as string))
      throw new Http1Error("HPE_UNEXPECTED_CONTENT_LENGTH", "a Content-Length that is not one number");
    return { kind: "length", left: Number(only) };
  }
  return { kind: "close" };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A header value as text: its bytes read as UTF-8 where they are UTF-8, as latin1 otherwise. */
export function headerText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, "latin1"));
  } catch {
    return value;
  }
}

/**
 * A Location value as a URL reference, as curl sends it on: each byte above ASCII percent-encoded
 * as it was sent (raw UTF-8 `résumé` becomes `r%C3%A9sum%C3%A9`), never decoded and re-encoded.
 */
export function locationReference(value: string): string {
  return value.replace(
    /[\x80-\xff]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}
