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
import { LOG_TAIL_BYTES, type Ping, type PingKind } from "./record.js";
import type { HeartbeatStore } from "./store.js";
import { tokensMatch } from "./token.js";

/** The largest body accepted; a longer log should be cut by the job (`tail -c 4096`). */
export const MAX_BODY_BYTES = 100_000;
/** Pings one check may send in a minute; more are refused, unrecorded. */
export const PINGS_PER_MINUTE = 30;
/** Requests of any kind (unknown names, wrong tokens included) per minute, per endpoint process. */
export const REQUESTS_PER_MINUTE = 600;

export interface PingRequest {
  method: string;
  /** The path, without query string. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
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

  /** Counts one more (unless `count` is false); false when the key already had `limit` in the last minute. */
  take(key: string, now: number, count = true): boolean {
    const recent = (this.seen.get(key) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= this.limit) {
      this.seen.set(key, recent);
      return false;
    }
    if (count) recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 10_000) for (const k of [...this.seen.keys()].slice(0, 5_000)) this.seen.delete(k);
    return true;
  }
}

const text = (status: number, body: string, headers?: Record<string, string>): PingResponse => ({
  status,
  body: `${body}\n`,
  ...(headers ? { headers } : {}),
});

export class PingEndpoint {
  private readonly perCheck = new MinuteWindow(PINGS_PER_MINUTE);
  private readonly refused = new MinuteWindow(PINGS_PER_MINUTE);
  private readonly overall = new MinuteWindow(REQUESTS_PER_MINUTE);
  private readonly now: () => number;

  constructor(private readonly options: PingEndpointOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(request: PingRequest, signal?: AbortSignal): Promise<PingResponse> {
    const now = this.now();
    if (!this.overall.take("*", now))
      return text(429, "too many requests to this endpoint; try again in a minute", { "retry-after": "60" });
    const match = /^\/ping\/([^/]+)(?:\/([^/]+))?\/?$/.exec(request.path);
    if (!match)
      return text(
        404,
        "not a ping address; use /ping/NAME, /ping/NAME/start, /ping/NAME/fail or /ping/NAME/EXIT-CODE",
      );
    const method = request.method.toUpperCase();
    if (method !== "POST" && method !== "GET" && method !== "HEAD")
      return text(405, `${method} is not a ping; use POST (or GET)`, { allow: "POST, GET, HEAD" });
    let name: string;
    try {
      name = decodeURIComponent(match[1] as string);
    } catch {
      return text(404, "not a ping address: the check's name is not valid percent-encoding");
    }
    const action = parseAction(match[2]);
    if (typeof action === "string") return text(404, action);
    const token = this.options.tokens.get(name);
    if (!token) return text(404, `no heartbeat check named "${name}"`);
    // Wrong tokens are counted apart, so nobody without the token can use up the job's own pings.
    if (!this.refused.take(name, now, false))
      return text(429, `too many refused pings for ${name} in a minute; try again later`, {
        "retry-after": "60",
      });
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? "")?.[1];
    if (!given) {
      this.refused.take(name, now);
      return text(401, `a ping for ${name} needs its token: Authorization: Bearer TOKEN`);
    }
    let expected: string;
    try {
      expected = await token();
    } catch (error) {
      // Which reference failed to resolve is the operator's business (the function's log), not the caller's.
      this.options.onError?.(`reading the token of ${name}`, error);
      return text(503, `the token of ${name} cannot be read right now; the ping was not recorded`);
    }
    if (!tokensMatch(given, expected)) {
      this.refused.take(name, now);
      return text(401, `wrong token for ${name}`);
    }
    if (request.bodyBytes > MAX_BODY_BYTES)
      return text(
        413,
        `a body of ${request.bodyBytes} bytes is over the ${MAX_BODY_BYTES}-byte limit; send the log's tail (tail -c ${LOG_TAIL_BYTES})`,
      );
    const sizeText = request.query.get("size");
    if (sizeText !== null && !/^\d{1,15}$/.test(sizeText))
      return text(400, `size= expects a whole number of bytes, found "${sizeText.slice(0, 40)}"`);
    if (!this.perCheck.take(name, now))
      return text(
        429,
        `more than ${PINGS_PER_MINUTE} pings for ${name} in a minute; this one was not recorded`,
        {
          "retry-after": "60",
        },
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
  return `"${segment.slice(0, 40)}" is not a ping; use start, fail, success or an exit code from 0 to 255`;
}
