/**
 * The ping endpoint's one job: turn an HTTP request into a recorded ping or a clear refusal. The
 * same code answers locally (`watchpost run --watch --listen`) and deployed (the ping function
 * behind an HTTP API). Nothing it refuses changes any record.
 *
 *   POST|GET /ping/NAME           success          /ping/NAME/start   the job started
 *   POST|GET /ping/NAME/fail      failure          /ping/NAME/EXIT    exit code (0 success, else failure)
 *   ?size=BYTES                   what the job produced
 *   body                          the job's log; its last 4 KiB are kept (at most 100 KB accepted)
 *   Authorization: Bearer TOKEN   the check's token (never in the URL, which proxies and logs keep)
 */

import { clip } from "../text.js";
import { LOG_TAIL_BYTES, type Ping, type PingKind } from "./record.js";
import type { HeartbeatStore } from "./store.js";
import { tokensMatch } from "./token.js";

/** The largest body accepted; a longer log should be cut by the job (`tail -c 4096`). */
export const MAX_BODY_BYTES = 100_000;
/** Pings with the right token one check may send in a minute; more are refused, unrecorded. */
export const PINGS_PER_MINUTE = 30;
/** Refused requests (unknown names, wrong or missing tokens) one source address may send in a minute. */
export const REFUSALS_PER_SOURCE = 30;
/** Refused requests from all sources together per minute, per endpoint process. */
export const REFUSALS_PER_MINUTE = 600;
/** The most of a request's own text an answer repeats. */
const ECHO_CHARS = 60;

export interface PingRequest {
  method: string;
  /** The path, without query string. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
  /** The address the request came from: refusals are counted per source, so one sender cannot use up another's. */
  source?: string;
  /** The body's length in bytes, as announced or read. */
  bodyBytes: number;
  body?: string;
}

export interface PingResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface PingEndpointOptions {
  /** The heartbeat checks this endpoint records pings for, with each one's token. */
  tokens: ReadonlyMap<string, () => Promise<string>>;
  store: HeartbeatStore;
  now?: () => number;
  /** Told why a ping could not be handled (a token or the store could not be read): for the operator. */
  onError?: (what: string, error: unknown) => void;
}

/** Requests within the last minute, by key; old entries fall out as new ones come. */
class MinuteWindow {
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly limit: number) {}

  /** Counts one more; false (and not counted) when the key already had `limit` in the last minute. */
  take(key: string, now: number): boolean {
    const recent = (this.seen.get(key) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= this.limit) {
      this.seen.set(key, recent);
      return false;
    }
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 10_000) for (const k of [...this.seen.keys()].slice(0, 5_000)) this.seen.delete(k);
    return true;
  }
}

/** A request's own text in an answer: clipped, and nothing but printable ASCII (a terminal may show it). */
const echo = (value: string): string =>
  clip(value, ECHO_CHARS).replace(
    /[^\x20-\x7e…]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

const text = (status: number, body: string, headers?: Record<string, string>): PingResponse => ({
  status,
  body: `${body}\n`,
  ...(headers ? { headers } : {}),
});

const TOO_MANY = { "retry-after": "60" };

/**
 * The token is checked before any budget: a request with the right token is never refused for what
 * others sent. Refusals count against the address they came from (and all sources together); pings
 * with the right token count only against their own check.
 */
export class PingEndpoint {
  private readonly perCheck = new MinuteWindow(PINGS_PER_MINUTE);
  private readonly refusedFrom = new MinuteWindow(REFUSALS_PER_SOURCE);
  private readonly refusedAll = new MinuteWindow(REFUSALS_PER_MINUTE);
  private readonly now: () => number;

  constructor(private readonly options: PingEndpointOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(request: PingRequest, signal?: AbortSignal): Promise<PingResponse> {
    const now = this.now();
    const refuse = (status: number, body: string, headers?: Record<string, string>): PingResponse => {
      const source = request.source ?? "unknown";
      if (!this.refusedFrom.take(source, now))
        return text(
          429,
          "too many refused requests from this address in a minute; try again later",
          TOO_MANY,
        );
      if (!this.refusedAll.take("*", now))
        return text(429, "too many refused requests to this endpoint in a minute; try again later", TOO_MANY);
      return text(status, body, headers);
    };
    const match = /^\/ping\/([^/]+)(?:\/([^/]+))?\/?$/.exec(request.path);
    if (!match)
      return refuse(
        404,
        "not a ping address; use /ping/NAME, /ping/NAME/start, /ping/NAME/fail or /ping/NAME/EXIT-CODE",
      );
    const method = request.method.toUpperCase();
    if (method !== "POST" && method !== "GET" && method !== "HEAD")
      return refuse(405, `${echo(method)} is not a ping; use POST (or GET)`, { allow: "POST, GET, HEAD" });
    let name: string;
    try {
      name = decodeURIComponent(match[1] as string);
    } catch {
      return refuse(404, "not a ping address: the check's name is not valid percent-encoding");
    }
    const action = parseAction(match[2]);
    if (typeof action === "string") return refuse(404, action);
    const token = this.options.tokens.get(name);
    if (!token) return refuse(404, `no heartbeat check named "${echo(name)}"`);
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? "")?.[1];
    if (!given) return refuse(401, `a ping for ${name} needs its token: Authorization: Bearer TOKEN`);
    let expected: string;
    try {
      expected = await token();
    } catch (error) {
      // Which reference failed to resolve is the operator's business (the function's log), not the caller's.
      this.options.onError?.(`reading the token of ${name}`, error);
      return text(503, `the token of ${name} cannot be read right now; the ping was not recorded`);
    }
    if (!tokensMatch(given, expected)) return refuse(401, `wrong token for ${name}`);
    if (request.bodyBytes > MAX_BODY_BYTES)
      return text(
        413,
        `a body of ${request.bodyBytes} bytes is over the ${MAX_BODY_BYTES}-byte limit; send the log's tail (tail -c ${LOG_TAIL_BYTES})`,
      );
    const sizeText = request.query.get("size");
    if (sizeText !== null && !/^\d{1,15}$/.test(sizeText))
      return text(400, `size= expects a whole number of bytes, found "${echo(sizeText)}"`);
    if (!this.perCheck.take(name, now))
      return text(
        429,
        `more than ${PINGS_PER_MINUTE} pings for ${name} in a minute; this one was not recorded`,
        TOO_MANY,
      );
    const ping: Ping = {
      kind: action.kind,
      at: now,
      ...(action.exitCode !== undefined ? { exitCode: action.exitCode } : {}),
      ...(sizeText !== null ? { size: Number(sizeText) } : {}),
      ...(request.body ? { body: request.body } : {}),
    };
    try {
      await this.options.store.record(name, ping, signal);
    } catch (error) {
      this.options.onError?.(`recording a ping for ${name} in ${this.options.store.name}`, error);
      return text(503, `the ping for ${name} could not be recorded right now; send it again`);
    }
    return text(
      200,
      `recorded ${action.kind}${action.exitCode !== undefined ? ` (exit ${action.exitCode})` : ""} for ${name}`,
    );
  }
}

function parseAction(segment: string | undefined): { kind: PingKind; exitCode?: number } | string {
  if (segment === undefined || segment === "success") return { kind: "success" };
  if (segment === "start") return { kind: "start" };
  if (segment === "fail") return { kind: "fail" };
  if (/^\d{1,3}$/.test(segment) && Number(segment) <= 255) {
    const exitCode = Number(segment);
    return exitCode === 0 ? { kind: "success", exitCode } : { kind: "fail", exitCode };
  }
  return `"${echo(segment)}" is not a ping; use start, fail, success or an exit code from 0 to 255`;
}
