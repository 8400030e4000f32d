/**
 * Redirects followed as blackbox_exporter and browsers follow them: up to a limit, never round a
 * loop, credentials kept to the origin they were written for, a POST turned into a GET where
 * clients do (303, and 301/302 after a POST).
 */

import { redactUrl } from "../../redact.js";
import type { Condition, Facts } from "../../result.js";
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
}

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
  const headers = { ...first.headers };
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
  }
}

function failed(text: string): Followed {
  return { ok: false, failure: { ok: false, effect: "fail", text } };
}
