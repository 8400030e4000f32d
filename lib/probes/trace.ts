/**
 * W3C Trace Context for probe requests (https://www.w3.org/TR/trace-context/): with `trace: true`
 * an http check's requests (and every http step of a flow) carry `traceparent` with a trace id fresh
 * for each run and a span id fresh for each request, sampled, and `tracestate: watchpost=<check>`.
 * The trace id is in the result, the notification and the JSON, so the failing request can be looked
 * up in the service's own tracing backend.
 */
import { randomBytes } from "node:crypto";

/** 16 random bytes as 32 lower-case hex digits; never all zero (the standard forbids it). */
export function newTraceId(): string {
  for (;;) {
    const id = randomBytes(16).toString("hex");
    if (!/^0+$/.test(id)) return id;
  }
}

function newSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString("hex");
    if (!/^0+$/.test(id)) return id;
  }
}

/** A tracestate value: printable ASCII without `,` and `=`, at most 256 characters, not ending in a space. */
function tracestateValue(text: string): string {
  return (
    text
      .replace(/[^\x20-\x7e]|[,=]/g, "_")
      .slice(0, 256)
      .replace(/ +$/, "") || "_"
  );
}

/** The headers of one request of the run whose trace is `traceId`: a new span each time. */
export function traceHeaders(traceId: string, check: string): Record<string, string> {
  return {
    traceparent: `00-${traceId}-${newSpanId()}-01`,
    tracestate: `watchpost=${tracestateValue(check)}`,
  };
}
