/**
 * Redirects followed as blackbox_exporter and browsers follow them: up to a limit, never round a
 * loop, a POST turned into a GET where clients do (303, and 301/302 after a POST). What the check
 * wrote stays with the origin it was written for: on a hop to another origin every header the check
 * set is dropped (unless it opts in), a body is never sent on, and a secret never goes from https
 * to plain http.
 */

import { redactUrl } from "../../redact.js";
import type { Condition, Facts } from "../../result.js";
import { USER_AGENT } from "../../version.js";
import { networkFailure } from "../errors.js";
import { quote } from "../expect/quote.js";
import type { ProbeContext } from "../probe.js";
import { exchange, type Hop, type HopOptions, type HopRequest, type Timeline } from "./connection.js";
import { headerText, locationReference } from "./response-head.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RedirectPolicy {
  follow: boolean;
  /** Most redirects followed; one more fails the check. */
  max: number;
  /** Send the check's headers on to another origin too (never a body, never a secret over plain http). */
  keepHeaders: boolean;
}

/** Headers that are credentials whatever their value. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

/** The final response and where it came from, or why there is none. */
export type Followed =
  | { ok: true; hop: Hop; url: URL; redirects: number; elapsedMs: number }
  | { ok: false; failure: Condition };

/** `first`, then every redirect the policy allows; phases into `timeline`, facts into `facts`. */
export async function followRedirects(
  first: HopRequest,
  policy: RedirectPolicy,
  options: HopOptions,
  timeline: Timeline,
  facts: Facts,
  ctx: ProbeContext,
): Promise<Followed> {
  let { url: current, method, body } = first;
  let headers = { ...first.headers };
  const visited = [current.href];
  const started = performance.now();
  for (;;) {
    const where = `${current.hostname}:${current.port || (current.protocol === "https:" ? 443 : 80)}`;
    let hop: Hop;
    try {
      hop = await exchange({ url: current, method, headers, body }, options, timeline, facts, ctx);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { ok: false, failure: networkFailure(error, where) };
    }
    facts.httpStatus = hop.status;
    const location = hop.headers.location?.[0];
    if (!policy.follow || !REDIRECT_STATUSES.has(hop.status) || location === undefined) {
      return {
        ok: true,
        hop,
        url: current,
        redirects: visited.length - 1,
        elapsedMs: performance.now() - started,
      };
    }
    let next: URL;
    try {
      next = new URL(locationReference(location), current);
      if (next.protocol !== "http:" && next.protocol !== "https:") throw new Error("scheme");
    } catch {
      return failed(
        `redirect ${hop.status} with a Location header that is not an http(s) URL: ${quote(redactUrl(headerText(location)))}`,
      );
    }
    if (visited.includes(next.href))
      return failed(`redirect loop: ${[...visited, next.href].map((u) => redactUrl(u)).join(" → ")}`);
    if (visited.length > policy.max)
      return failed(`more than ${policy.max} redirects (last to ${redactUrl(next.href)})`);
    if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
    }
    if (next.origin !== current.origin) {
      const to = `${hop.status} to ${redactUrl(next.href)}`;
      if (body !== undefined)
        return failed(`redirect ${to}, another origin, would send the request body there; not followed`);
      if (!policy.keepHeaders) headers = { "user-agent": USER_AGENT };
      else {
        // A Host header was written for the first origin, as curl keeps it to that host.
        delete headers.host;
      }
      if (policy.keepHeaders && current.protocol === "https:" && next.protocol === "http:") {
        const secret = Object.entries(headers)
          .filter(([name, value]) => CREDENTIAL_HEADERS.has(name) || holdsSecret(value, ctx.secrets))
          .map(([name]) => name);
        if (secret.length > 0)
          return failed(
            `redirect ${to} would send ${secret.join(", ")} over plain http; not followed (the header holds a secret)`,
          );
      }
    }
    visited.push(next.href);
    facts.redirects = visited.slice(1).map((u) => redactUrl(u));
    current = next;
  }
}

/** Whether a header's value carries something a reference resolved to (as `scrub` would find it). */
function holdsSecret(value: string, secrets: ReadonlySet<string> | undefined): boolean {
  for (const secret of secrets ?? []) if (secret.length >= 4 && value.includes(secret)) return true;
  return false;
}

function failed(text: string): Followed {
  return { ok: false, failure: { ok: false, effect: "fail", text } };
}
