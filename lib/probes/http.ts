/**
 * The http probe: one request (redirects followed) on connections of its own, timed as
 * blackbox_exporter times them, and the check's expectations on the final response.
 */
import type { Facts, Observation } from "../result.js";
import { USER_AGENT } from "../version.js";
import { readCa, readClientIdentity, secureContextFor } from "./certificate.js";
import type { HttpConfig } from "./config/http.js";
import { failedObservation } from "./errors.js";
import { httpConditions, needsBody } from "./http/conditions.js";
import { type Hop, Timeline } from "./http/connection.js";
import { acceptedEncodings, contentEncodings, decodeBody } from "./http/content-encoding.js";
import { followRedirects } from "./http/redirects.js";
import { defineProbe, type ProbeContext } from "./probe.js";
import { routeFor } from "./tunnel.js";

export const httpProbe = defineProbe<HttpConfig>({
  kind: "http",
  target: (cfg) => cfg.url,
  run: async (cfg, ctx) => (await httpExchange(cfg, ctx)).observation,
});

/**
 * One request as the check asks it, and the final response as well as what was seen of it: a flow's
 * step extracts values from the response (`keepBody` keeps its body when no expectation reads it).
 */
export async function httpExchange(
  cfg: HttpConfig,
  ctx: ProbeContext,
  keepBody = false,
): Promise<{ observation: Observation; response?: Hop }> {
  let url: URL;
  try {
    url = new URL(cfg.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
  } catch {
    return {
      observation: failedObservation(
        "url is not an absolute http:// or https:// URL after resolving references",
      ),
    };
  }
  const ca = await readCa(ctx.baseDir, cfg.ca);
  const client = await readClientIdentity(ctx.baseDir, cfg.tls?.clientCert, cfg.tls?.clientKey);
  // An unusable certificate, key or proxy is the check's setup error, found before any connection.
  if (url.protocol === "https:") secureContextFor(ca, client);
  routeFor(url, cfg.proxy);
  const timeline = new Timeline();
  const facts: Facts = { httpMethod: cfg.method };
  // A traceparent the check sets itself wins over the one `trace: true` makes.
  const headers: Record<string, string> = {
    "user-agent": USER_AGENT,
    ...ctx.traceHeaders?.(),
    ...lowerCaseKeys(cfg.headers),
  };
  if (cfg.compression && cfg.compression !== "identity") headers["accept-encoding"] ??= cfg.compression;
  const accepted = acceptedEncodings(headers["accept-encoding"], cfg.compression);
  // Credentials in the URL are sent as basic auth, as curl and browsers do, and never in the request line.
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  const followed = await followRedirects(
    { url, method: cfg.method, headers, body: cfg.body },
    {
      follow: cfg.followRedirects,
      max: cfg.maxRedirects,
      keepHeaders: cfg.redirects?.keepHeaders ?? false,
    },
    {
      ca,
      insecure: cfg.insecure,
      serverName: cfg.tls?.serverName,
      client,
      proxy: cfg.proxy,
      // A body that may be compressed is kept to be decoded: its decoded size is what is reported.
      needBody: keepBody || needsBody(cfg.expect) || accepted.size > 0,
      maxBody: cfg.maxBodySize,
    },
    timeline,
    facts,
    ctx,
  );
  if (!followed.ok)
    return { observation: { conditions: [followed.failure], summary: "", phases: timeline.phases, facts } };
  const hop = await decoded(followed.hop, accepted, cfg, keepBody || needsBody(cfg.expect));
  facts.bodyBytes = hop.bodyBytes;
  const { conditions, contentMismatch } = httpConditions(
    cfg.expect,
    hop,
    followed.elapsedMs,
    followed.url,
    facts.certificate,
    cfg.maxBodySize,
  );
  facts.contentMismatch = contentMismatch;
  return {
    observation: {
      conditions,
      summary:
        `${hop.status} ${hop.statusText}`.trim() +
        (followed.redirects > 0 ? ` after ${followed.redirects} redirect(s)` : ""),
      phases: timeline.phases,
      facts,
    },
    response: hop,
  };
}

/**
 * The final response with its body decoded (the decoded size counted as blackbox's uncompressed
 * length). A body that cannot be decoded fails the check only when something reads it (`wanted`),
 * or when decoding it went past `maxBodySize`.
 */
async function decoded(
  hop: Hop,
  accepted: ReadonlySet<string>,
  cfg: HttpConfig,
  wanted: boolean,
): Promise<Hop> {
  const encodings = contentEncodings(hop.headers["content-encoding"]);
  if (!hop.body || hop.bodyExceeded || encodings.length === 0) return hop;
  const result = await decodeBody(hop.body, encodings, accepted, cfg.maxBodySize);
  if (result.ok) return { ...hop, body: result.body, bodyBytes: result.body.length };
  if (result.problem === "exceeded") return { ...hop, bodyExceeded: true, decodeFailure: result };
  return wanted ? { ...hop, decodeFailure: result } : hop;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}
