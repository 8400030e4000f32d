/**
 * One unary gRPC call over HTTP/2 (node:http2) on a connection the probe opened and timed itself
 * (lib/probes/connect.ts): the request framed as gRPC frames it, the response's headers, first
 * message and trailers read back as they came, bounded in size. What they mean is the probe's call.
 */
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import type { Socket } from "node:net";

/** A health response is a few bytes; a peer sending more than this is not answering the call. */
const MAX_RESPONSE_BYTES = 65_536;

export interface UnaryRequest {
  /** `host:port`, the :authority pseudo-header. */
  authority: string;
  secure: boolean;
  path: string;
  /** Lower-case names; sent after gRPC's own headers, which they cannot replace. */
  metadata: Record<string, string>;
  userAgent: string;
  message: Uint8Array;
}

export interface UnaryResponse {
  httpStatus: number;
  contentType: string;
  /** grpc-status from the trailers (or the headers, for a trailers-only response); absent without one. */
  grpcStatus?: number;
  /** grpc-message, percent-decoded. */
  grpcMessage?: string;
  /** The first message's bytes, when a whole one arrived. */
  message?: Uint8Array;
  /** The first message was compressed (never asked for: the request offers no encoding). */
  compressed: boolean;
  /** Data arrived that was not a whole message frame. */
  truncated: boolean;
}

/** The HTTP/2 stream or connection failed before the response ended; `rstCode` when the peer reset the stream. */
export class TransportError extends Error {
  override name = "TransportError";
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly rstCode?: number,
  ) {
    super(message);
  }
}

/** Calls `request.path` with one message; resolves with what came back, rejects with a TransportError. */
export function unaryCall(
  socket: Socket,
  request: UnaryRequest,
  signal: AbortSignal,
  onHeaders: () => void,
): Promise<UnaryResponse> {
  const session: ClientHttp2Session = http2.connect(
    `${request.secure ? "https" : "http"}://${request.authority}`,
    { createConnection: () => socket, settings: { enablePush: false } },
  );
  const abandon = () => session.destroy();
  signal.addEventListener("abort", abandon, { once: true });
  return new Promise<UnaryResponse>((resolve, reject) => {
    let headers: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: { response: UnaryResponse } | { error: TransportError }) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", abandon);
      session.destroy();
      if ("response" in outcome) resolve(outcome.response);
      else reject(outcome.error);
    };
    // Only ERR_HTTP2_STREAM_ERROR is the peer resetting the stream; a protocol error (a peer that
    // does not speak HTTP/2) also leaves an rstCode, set by Node as it tears the stream down.
    const failed = (error: Error & { code?: string }) =>
      settle({
        error: new TransportError(
          error.message,
          error.code,
          error.code === "ERR_HTTP2_STREAM_ERROR" ? stream.rstCode : undefined,
        ),
      });
    session.once("error", failed);
    const stream = session.request(
      {
        ":method": "POST",
        ":path": request.path,
        ...request.metadata,
        "content-type": "application/grpc",
        te: "trailers",
        "user-agent": request.userAgent,
      },
      { endStream: false },
    );
    stream.once("response", (received) => {
      headers = received;
      onHeaders();
    });
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        settle({
          error: new TransportError(`the response exceeded ${MAX_RESPONSE_BYTES} bytes`, "ERR_TOO_LARGE"),
        });
        return;
      }
      chunks.push(chunk);
    });
    stream.once("trailers", (received) => {
      trailers = received;
    });
    stream.once("error", failed);
    stream.once("close", () => {
      if (!headers) {
        settle({
          error: new TransportError("the connection closed before a response", "ERR_RESPONSE_INCOMPLETE"),
        });
        return;
      }
      settle({ response: readResponse(headers, trailers, Buffer.concat(chunks)) });
    });
    stream.end(frame(request.message));
  });
}

/** A gRPC length-prefixed message: no compression flag, the length, the bytes. */
function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function readResponse(
  headers: IncomingHttpHeaders,
  trailers: IncomingHttpHeaders | undefined,
  data: Buffer,
): UnaryResponse {
  // A trailers-only response (an error, usually) carries grpc-status in its headers.
  const statusText = single(trailers?.["grpc-status"] ?? headers["grpc-status"]);
  const messageText = single(trailers?.["grpc-message"] ?? headers["grpc-message"]);
  const grpcStatus = statusText !== undefined && /^\d+$/.test(statusText) ? Number(statusText) : undefined;
  let message: Uint8Array | undefined;
  let compressed = false;
  let truncated = false;
  if (data.length > 0) {
    const length = data.length >= 5 ? data.readUInt32BE(1) : -1;
    if (length < 0 || data.length < 5 + length) truncated = true;
    else {
      compressed = data[0] === 1;
      message = data.subarray(5, 5 + length);
    }
  }
  return {
    httpStatus: Number(headers[":status"] ?? 0),
    contentType: single(headers["content-type"]) ?? "",
    ...(grpcStatus !== undefined ? { grpcStatus } : {}),
    ...(messageText !== undefined ? { grpcMessage: percentDecode(messageText) } : {}),
    ...(message ? { message } : {}),
    compressed,
    truncated,
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** grpc-message is percent-encoded UTF-8; a malformed escape is kept as written, as gRPC's clients do. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
