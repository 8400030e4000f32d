import net, { isIP, type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import { redactUrl } from "../redact.js";
import type { CertificateFacts, Condition, Facts, Observation, Phase } from "../result.js";
import { formatBytes, formatDuration } from "../units.js";
import { USER_AGENT } from "../version.js";
import { certificateFacts, readCa, secureContextFor, validForCondition } from "./certificate.js";
import type { HttpConfig } from "./config/http.js";
import { describeCertificateError, networkFailure } from "./errors.js";
import { exchangeHttp1, Http1Error, type Http1Head } from "./http1.js";
import { parseJsonPath, select } from "./json-path.js";
import { defineProbe, type ProbeContext } from "./probe.js";
import { timedLookup } from "./timing.js";
import { skipNodeHostnameCheck, skipPeerChainObjects } from "./tls-socket.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Expect = HttpConfig["expect"];

interface Hop {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  bodyBytes: number;
  bodyExceeded: boolean;
}

class Timeline {
  readonly phases: Record<Phase, number> = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  add(phase: Phase, ms: number) {
    this.phases[phase] += Math.max(0, ms);
  }
}

export const httpProbe = defineProbe<HttpConfig>({
  kind: "http",
  target: (cfg) => cfg.url,
  async run(cfg, ctx): Promise<Observation> {
    let current: URL;
    try {
      current = new URL(cfg.url);
      if (current.protocol !== "http:" && current.protocol !== "https:") throw new Error("scheme");
    } catch {
      return fail("url is not an absolute http:// or https:// URL after resolving references");
    }
    const ca = await readCa(ctx.baseDir, cfg.ca);
    const needBody = Boolean(cfg.expect.bodyContains || cfg.expect.bodyMatches || cfg.expect.json);
    const timeline = new Timeline();
    const facts: Facts = {};
    let method: string = cfg.method;
    let body = cfg.body;
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...lowerCaseKeys(cfg.headers) };
    // Credentials in the URL are sent as basic auth, as curl and browsers do, and never in the request line.
    if (current.username || current.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(current.username)}:${decodeURIComponent(current.password)}`).toString("base64")}`;
      current.username = "";
      current.password = "";
    }
    const visited = [current.href];
    const started = performance.now();
    for (;;) {
      const where = `${current.hostname}:${current.port || (current.protocol === "https:" ? 443 : 80)}`;
      let hop: Hop;
      try {
        hop = await exchange(
          current,
          method,
          headers,
          body,
          { ca, insecure: cfg.insecure, needBody, maxBody: cfg.maxBodySize },
          timeline,
          facts,
          ctx,
        );
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        return { conditions: [networkFailure(error, where)], summary: "", phases: timeline.phases, facts };
      }
      facts.httpStatus = hop.status;
      const location = hop.headers.location;
      if (cfg.followRedirects && REDIRECT_STATUSES.has(hop.status) && typeof location === "string") {
        let next: URL;
        try {
          next = new URL(location, current);
          if (next.protocol !== "http:" && next.protocol !== "https:") throw new Error("scheme");
        } catch {
          return {
            ...fail(
              `redirect ${hop.status} with a Location header that is not an http(s) URL: ${quote(redactUrl(location))}`,
            ),
            phases: timeline.phases,
            facts,
          };
        }
        if (visited.includes(next.href)) {
          return {
            ...fail(`redirect loop: ${[...visited, next.href].map((u) => redactUrl(u)).join(" → ")}`),
            phases: timeline.phases,
            facts,
          };
        }
        if (visited.length > cfg.maxRedirects) {
          return {
            ...fail(`more than ${cfg.maxRedirects} redirects (last to ${redactUrl(next.href)})`),
            phases: timeline.phases,
            facts,
          };
        }
        if (next.origin !== current.origin) {
          delete headers.authorization;
          delete headers.cookie;
        }
        if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
        }
        visited.push(next.href);
        facts.redirects = visited.slice(1).map((u) => redactUrl(u));
        current = next;
        continue;
      }
      const elapsed = performance.now() - started;
      facts.bodyBytes = hop.bodyBytes;
      const conditions = evaluate(cfg.expect, hop, elapsed, current, facts.certificate, cfg.maxBodySize);
      facts.contentMismatch = conditions.some((c) => !c.ok && c.content) && conditions[0]?.ok === true;
      for (const condition of conditions) delete condition.content;
      return {
        conditions,
        summary:
          `${hop.status} ${hop.statusText}`.trim() +
          (visited.length > 1 ? ` after ${visited.length - 1} redirect(s)` : ""),
        phases: timeline.phases,
        facts,
      };
    }
  },
});

function fail(text: string): Observation {
  return { conditions: [{ ok: false, effect: "fail", text }], summary: "" };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

/** Facts of the response being read: an earlier hop's, or a hop that failed, leaves none behind. */
const HOP_FACTS = [
  "certificate",
  "tlsVersion",
  "tlsCipher",
  "tlsAccepted",
  "finalTls",
  "httpVersion",
  "contentLength",
  "lastModified",
] as const;

/** One request on a fresh connection (no keep-alive, no TLS session reuse), timed by phase. */
async function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: { ca: string | undefined; insecure: boolean; needBody: boolean; maxBody: number },
  timeline: Timeline,
  facts: Facts,
  ctx: ProbeContext,
): Promise<Hop> {
  const https = url.protocol === "https:";
  // What blackbox_exporter reports of TLS is the final hop's: an earlier hop's certificate goes.
  for (const key of HOP_FACTS) delete facts[key];
  const lookup = timedLookup();
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (https ? 443 : 80));
  const start = performance.now();
  let tcpAt = 0;
  ctx.stage(`connecting to ${url.host}`);
  // A fresh connection per probe, no session resumed: every probe pays the whole handshake, as
  // blackbox_exporter's do.
  const socket: Socket = https
    ? tls.connect({
        host,
        port,
        servername: isIP(host) ? undefined : host,
        secureContext: secureContextFor(options.ca),
        rejectUnauthorized: false,
        checkServerIdentity: skipNodeHostnameCheck,
        lookup: lookup.fn,
      })
    : net.connect({ host, port, lookup: lookup.fn });
  if (https) skipPeerChainObjects(socket as TLSSocket);
  socket.setNoDelay(true);
  socket.once("connect", () => {
    tcpAt = performance.now();
    if (https) ctx.stage(`TLS handshake with ${url.host}`);
  });
  // Ours to close, whatever happens: one left open keeps the process (or the Lambda sandbox) alive.
  const abandon = () => socket.destroy();
  ctx.signal.addEventListener("abort", abandon, { once: true });
  if (ctx.signal.aborted) abandon();
  try {
    await connected(socket, https ? "secureConnect" : "connect", ctx.signal);
    const readyAt = performance.now();
    facts.resolved ??= lookup.resolved(url.hostname);
    if (https) {
      const tlsSocket = socket as TLSSocket;
      facts.certificate = certificateFacts(tlsSocket, host, options.ca);
      facts.tlsVersion = tlsSocket.getProtocol() ?? undefined;
      const cipher = tlsSocket.getCipher();
      facts.tlsCipher = cipher?.standardName ?? cipher?.name;
      const rejected = facts.certificate
        ? facts.certificate.verifyError
        : tlsSocket.authorized
          ? undefined
          : tlsSocket.authorizationError;
      if (!options.insecure && rejected) {
        const code = String(rejected);
        throw Object.assign(new Error(describeCertificateError(code) ?? code), { code });
      }
    }
    facts.remoteAddress = socket.remoteAddress;
    ctx.stage(`waiting for response headers from ${url.host}`);
    let head: Http1Head | undefined;
    // When the final response's first byte came off the socket: processing ends at the socket's
    // event, as blackbox's GotFirstResponseByte.
    let firstByteAt = 0;
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    let bodyExceeded = false;
    await exchangeHttp1(
      socket,
      { method, path: `${url.pathname}${url.search}`, host: url.host, headers, body },
      {
        onHead(received, at) {
          head = received;
          firstByteAt = at;
          facts.httpVersion = received.version;
          ctx.stage(`reading the response body from ${url.host}`);
        },
        onBody(chunk) {
          bodyBytes += chunk.length;
          if (bodyBytes > options.maxBody) {
            bodyExceeded = true;
            return false;
          }
          if (options.needBody) chunks.push(chunk);
          return true;
        },
      },
    );
    const response = head as Http1Head;
    const endAt = performance.now();
    facts.finalTls = https;
    facts.tlsAccepted = https ? true : undefined;
    facts.contentLength = contentLength(response.headers);
    const lastModified = Date.parse(String(response.headers["last-modified"] ?? ""));
    if (Number.isFinite(lastModified)) facts.lastModified = Math.floor(lastModified / 1000);
    const resolveMs = lookup.durationMs();
    const connectedAt = tcpAt || readyAt;
    timeline.add("resolve", resolveMs);
    timeline.add("connect", connectedAt - start - resolveMs);
    if (https) timeline.add("tls", readyAt - connectedAt);
    // As blackbox: processing up to the response's first byte, transfer from there to the end.
    timeline.add("processing", firstByteAt - readyAt);
    timeline.add("transfer", endAt - firstByteAt);
    return {
      status: response.status,
      statusText: STATUS_TEXT[response.status] ?? "",
      headers: response.headers,
      ...(options.needBody ? { body: Buffer.concat(chunks) } : {}),
      bodyBytes,
      bodyExceeded,
    };
  } finally {
    abandon();
    ctx.signal.removeEventListener("abort", abandon);
    facts.resolved ??= lookup.resolved(url.hostname);
  }
}

/** Resolves when the socket is connected (`event`), rejects on its error, its close, or an abort. */
function connected(socket: Socket, event: "connect" | "secureConnect", signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      socket.off(event, onConnected);
      socket.off("error", done);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onConnected = () => done();
    const onClose = () =>
      done(
        signal.reason ?? new Http1Error("ERR_RESPONSE_INCOMPLETE", "the connection closed before a response"),
      );
    socket.once(event, onConnected);
    socket.once("error", done);
    socket.once("close", onClose);
  });
}

/** Content-Length as Go's client reads it: -1 when absent, chunked, or not one whole number. */
function contentLength(headers: Record<string, string | string[] | undefined>): number {
  const encoding = headers["transfer-encoding"];
  if (encoding !== undefined && String(encoding).toLowerCase().includes("chunked")) return -1;
  const value = headers["content-length"];
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : -1;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function statusMatches(status: number, accepted: (number | string)[]): boolean {
  return accepted.some((entry) =>
    typeof entry === "number" ? entry === status : `${Math.floor(status / 100)}xx` === entry,
  );
}

function quote(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** A condition on the body or a header (blackbox's probe_failed_due_to_regex), marked while evaluating. */
type Evaluated = Condition & { content?: boolean };

function evaluate(
  expect: Expect,
  hop: Hop,
  elapsedMs: number,
  url: URL,
  certificate: CertificateFacts | undefined,
  maxBody: number,
): Evaluated[] {
  const conditions: Evaluated[] = [];
  const statusOk = statusMatches(hop.status, expect.status);
  conditions.push({
    ok: statusOk,
    effect: "fail",
    text: statusOk ? `status ${hop.status}` : `status ${hop.status}, expected ${expect.status.join(" or ")}`,
  });
  if (hop.bodyExceeded) {
    conditions.push({
      ok: false,
      effect: "fail",
      text: `body larger than the ${formatBytes(maxBody)} limit (maxBodySize)`,
    });
  }
  const latency = Math.round(elapsedMs);
  if (expect.latency?.fail !== undefined) {
    const ok = elapsedMs <= expect.latency.fail;
    conditions.push({
      ok,
      effect: "fail",
      text: `took ${latency}ms, expected at most ${formatDuration(expect.latency.fail)}`,
      timing: { tookMs: latency, limitMs: expect.latency.fail },
    });
  }
  if (expect.latency?.degraded !== undefined) {
    const ok = elapsedMs <= expect.latency.degraded;
    conditions.push({
      ok,
      effect: "degrade",
      text: `took ${latency}ms, expected at most ${formatDuration(expect.latency.degraded)} to be up`,
      timing: { tookMs: latency, limitMs: expect.latency.degraded },
    });
  }
  for (const [name, matcher] of Object.entries(expect.headers ?? {})) {
    const raw = hop.headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    conditions.push({
      ...matchCondition(`header ${name}`, value !== undefined, value, matcher),
      content: true,
    });
  }
  if (expect.certificate) {
    conditions.push(
      url.protocol !== "https:"
        ? { ok: false, effect: "fail", text: "certificate.validFor needs an https:// URL" }
        : certificate
          ? validForCondition(certificate, expect.certificate.validFor, Date.now(), "leaf")
          : { ok: false, effect: "fail", text: "no certificate was presented" },
    );
  }
  if (hop.body && !hop.bodyExceeded)
    conditions.push(...bodyConditions(expect, hop.body).map((c) => ({ ...c, content: true })));
  return conditions;
}

function bodyConditions(expect: Expect, body: Buffer): Condition[] {
  const conditions: Condition[] = [];
  const textBody = body.toString("utf8");
  for (const needle of expect.bodyContains ?? []) {
    const ok = textBody.includes(needle);
    conditions.push({
      ok,
      effect: "fail",
      text: ok ? `body contains ${quote(needle)}` : `body does not contain ${quote(needle)}`,
    });
  }
  if (expect.bodyMatches) {
    const ok = new RegExp(expect.bodyMatches).test(textBody);
    conditions.push({
      ok,
      effect: "fail",
      text: `body ${ok ? "matches" : "does not match"} /${expect.bodyMatches}/`,
    });
  }
  if (expect.json) {
    let document: unknown;
    try {
      document = JSON.parse(textBody);
    } catch (error) {
      conditions.push({
        ok: false,
        effect: "fail",
        text: `body is not valid JSON (${(error as Error).message})`,
      });
      return conditions;
    }
    for (const assertion of expect.json) {
      const found = select(document, parseJsonPath(assertion.path) as (string | number)[]);
      conditions.push(matchCondition(assertion.path, found.found, found.value, assertion));
    }
  }
  return conditions;
}

/** `equals`, `matches` or `exists` on a header or a JSON value, with the text of what was found. */
function matchCondition(
  subject: string,
  found: boolean,
  value: unknown,
  matcher: { equals?: unknown; matches?: string; exists?: boolean },
): Condition {
  if (matcher.exists !== undefined) {
    const ok = found === matcher.exists;
    return {
      ok,
      effect: "fail",
      text: `${subject} ${found ? "exists" : "is missing"}${ok ? "" : `, expected it ${matcher.exists ? "to exist" : "to be absent"}`}`,
    };
  }
  if (!found) {
    const wanted = matcher.matches !== undefined ? `to match /${matcher.matches}/` : quote(matcher.equals);
    return { ok: false, effect: "fail", text: `${subject} is missing, expected ${wanted}` };
  }
  if (matcher.matches !== undefined) {
    const asText = typeof value === "string" ? value : JSON.stringify(value);
    const ok = new RegExp(matcher.matches).test(asText);
    return {
      ok,
      effect: "fail",
      text: `${subject} is ${quote(value)}${ok ? "" : `, expected to match /${matcher.matches}/`}`,
    };
  }
  const ok =
    JSON.stringify(value) === JSON.stringify(matcher.equals) ||
    (typeof matcher.equals === "string" &&
      (typeof value === "number" || typeof value === "boolean") &&
      String(value) === matcher.equals);
  return {
    ok,
    effect: "fail",
    text: `${subject} is ${quote(value)}${ok ? "" : `, expected ${quote(matcher.equals)}`}`,
  };
}
