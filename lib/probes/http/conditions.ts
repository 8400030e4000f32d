/** An http check's expectations on the final response, in the order its reason lists them. */
import type { CertificateFacts, Condition } from "../../result.js";
import { formatBytes } from "../../units.js";
import { validForCondition } from "../certificate.js";
import type { HttpConfig } from "../config/http.js";
import { contentConditions } from "../expect/content.js";
import { headerConditions } from "../expect/headers.js";
import { latencyConditions } from "../expect/latency.js";
import { statusCondition } from "../expect/status.js";
import type { Hop } from "./connection.js";
import { headerText } from "./response-head.js";

type Expect = HttpConfig["expect"];

/** The body is kept only for an assertion that reads it. */
export function needsBody(expect: Expect): boolean {
  return Boolean(expect.bodyContains || expect.bodyMatches || expect.json);
}

export function httpConditions(
  expect: Expect,
  hop: Hop,
  elapsedMs: number,
  url: URL,
  certificate: CertificateFacts | undefined,
  maxBody: number,
): { conditions: Condition[]; contentMismatch: boolean } {
  const status = statusCondition(hop.status, expect.status);
  const conditions: Condition[] = [status];
  const failure = hop.decodeFailure;
  if (hop.bodyExceeded || failure) {
    conditions.push({
      ok: false,
      effect: "fail",
      text: failure?.reason ?? `body larger than the ${formatBytes(maxBody)} limit (maxBodySize)`,
    });
  }
  conditions.push(...latencyConditions(elapsedMs, expect.latency));
  const headers = expect.headers ? headerConditions(expect.headers, asText(expect.headers, hop.headers)) : [];
  conditions.push(...headers);
  if (expect.certificate) {
    conditions.push(
      url.protocol !== "https:"
        ? { ok: false, effect: "fail", text: "certificate.validFor needs an https:// URL" }
        : certificate
          ? validForCondition(certificate, expect.certificate.validFor, Date.now(), "leaf")
          : { ok: false, effect: "fail", text: "no certificate was presented" },
    );
  }
  const body =
    hop.body && !hop.bodyExceeded && !failure
      ? contentConditions("body", hop.body.toString("utf8"), {
          contains: expect.bodyContains,
          matches: expect.bodyMatches,
          json: expect.json,
        })
      : [];
  conditions.push(...body);
  // blackbox's probe_failed_due_to_regex: a header or body assertion failed on an accepted status.
  // A body in an encoding not asked for is what blackbox's regex fails on too.
  const contentMismatch =
    status.ok && ([...headers, ...body].some((c) => !c.ok) || failure?.problem === "unasked");
  return { conditions, contentMismatch };
}

/** The asserted headers' values as text (UTF-8 where their bytes are). */
function asText(expected: Readonly<Record<string, unknown>>, headers: Hop["headers"]): Hop["headers"] {
  const text: Hop["headers"] = {};
  for (const name of Object.keys(expected)) {
    const values = headers[name.toLowerCase()];
    if (values) text[name.toLowerCase()] = values.map(headerText);
  }
  return text;
}
