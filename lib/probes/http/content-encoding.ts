/**
 * A compressed body decoded before the check's assertions read it, when the check asked for that
 * encoding (its `compression`, or its own Accept-Encoding header), as `curl --compressed` and
 * blackbox_exporter's `compression` decode it. The decoded size is held to `maxBodySize`, so a
 * decompression bomb is a reason, never the process's memory.
 */
import { constants } from "node:buffer";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { formatBytes } from "../../units.js";
import type { HttpConfig } from "../config/http.js";

type Compression = NonNullable<HttpConfig["compression"]>;

const MAX_LENGTH = constants.MAX_LENGTH;

type Decoder = (body: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

const gunzip = promisify(zlib.gunzip) as Decoder;
const inflate = promisify(zlib.inflate) as Decoder;
const inflateRaw = promisify(zlib.inflateRaw) as Decoder;
const brotli = promisify(zlib.brotliDecompress) as Decoder;

/**
 * "deflate" is zlib-wrapped by the RFC and raw DEFLATE from many servers: both are read, told apart
 * by the zlib header (compression method 8, header checksum a multiple of 31), as curl does.
 */
const inflateEither: Decoder = (body, options) => {
  const [first = 0, second = 0] = body;
  const zlibWrapped = (first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0;
  return (zlibWrapped ? inflate : inflateRaw)(body, options);
};

const DECODERS: Record<string, Decoder> = {
  gzip: gunzip,
  "x-gzip": gunzip,
  deflate: inflateEither,
  br: brotli,
};

/** The encodings a request accepts: its Accept-Encoding header's (but those with `q=0`) and `compression`. */
export function acceptedEncodings(
  acceptEncoding: string | undefined,
  compression?: Compression,
): Set<string> {
  const accepted = new Set<string>();
  for (const item of (acceptEncoding ?? "").split(",")) {
    const [name = "", ...params] = item.split(";").map((part) => part.trim().toLowerCase());
    if (name === "" || params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    if (name === "*") for (const known of ["gzip", "deflate", "br"]) accepted.add(known);
    else accepted.add(name === "x-gzip" ? "gzip" : name);
  }
  if (compression && compression !== "identity") accepted.add(compression);
  accepted.delete("identity");
  return accepted;
}

/** Why a body could not be decoded: `unasked` is blackbox's content mismatch (its regex ran on the encoded bytes). */
export interface DecodeFailure {
  ok: false;
  problem: "unasked" | "unknown" | "corrupt" | "exceeded";
  reason: string;
}

/** A body as the assertions read it, or why it cannot be. */
export type Decoded = { ok: true; body: Buffer } | DecodeFailure;

/** The codings a response says its body went through, in the order applied (`identity` dropped). */
export function contentEncodings(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(","))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
}

/**
 * `body` decoded through each of `encodings`, last applied first. An encoding the check did not ask
 * for is not decoded and is named in the reason; so is one Watchpost cannot decode.
 */
export async function decodeBody(
  body: Buffer,
  encodings: readonly string[],
  accepted: ReadonlySet<string>,
  maxBytes: number,
): Promise<Decoded> {
  const unasked = encodings.filter((coding) => !accepted.has(coding === "x-gzip" ? "gzip" : coding));
  if (unasked.length > 0)
    return {
      ok: false,
      problem: "unasked",
      reason: `body is ${unasked.join(", ")}-encoded, which the check did not ask for (set compression: ${unasked[0]}, or send Accept-Encoding)`,
    };
  let decoded = body;
  for (const coding of [...encodings].reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder)
      return {
        ok: false,
        problem: "unknown",
        reason: `body is ${coding}-encoded, which Watchpost cannot decode`,
      };
    try {
      decoded = await decoder(decoded, { maxOutputLength: Math.min(maxBytes, MAX_LENGTH) });
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === "ERR_BUFFER_TOO_LARGE")
        return {
          ok: false,
          problem: "exceeded",
          reason: `decoded ${coding} body larger than the ${formatBytes(maxBytes)} limit (maxBodySize)`,
        };
      return { ok: false, problem: "corrupt", reason: `body could not be decoded as ${coding} (${message})` };
    }
  }
  return { ok: true, body: decoded };
}
