import { describe, expect, it } from "vitest";
import { FAILURE_CAUSES, failureCause } from "../../../lib/metrics/cause.js";

describe("failure cause", () => {
  const cases: [string, string, string | undefined][] = [
    ["http", "timed out after 10s while waiting for response headers from a:80", "timeout"],
    ["http", "connection refused by 127.0.0.1:9 (4 of 4 attempts failed)", "connection"],
    ["http", "DNS lookup failed: nowhere.example does not resolve", "dns"],
    ["http", "certificate has expired (127.0.0.1:443)", "tls"],
    ["tls", "certificate expires in 5d, expected at least 14d", "certificate_expiry"],
    ["tls", 'chain certificate "CN=Intermediate" expires in 3d, expected at least 14d', "certificate_expiry"],
    ["http", "status 503, expected 2xx", "http_status"],
    ["http", "redirect loop: a → b → a", "redirect"],
    ["http", "took 900ms, expected at most 500ms", "latency"],
    ["http", 'body does not contain "ok"', "content"],
    ["http", '$.status is "degraded", expected "ok"', "content"],
    ["dns", "api.test does not exist (NXDOMAIN from 127.0.0.1:53)", "dns"],
    ["dns", "answers [10.0.0.1] do not include 10.0.0.9", "dns"],
    ["tcp", 'db:5432 answered "x", expected to match /^SSH/', "content"],
    ["backup", "newest backup is 3d old, expected at most 1d", "backup"],
    ["grpc", 'service "payments" is NOT_SERVING', "grpc_status"],
    ["grpc", "UNIMPLEMENTED: the server has no health service", "grpc_status"],
    ["grpc", "127.0.0.1:9 did not answer with HTTP/2 (Protocol error)", "connection"],
    ["http", "something nobody words", "other"],
    ["steps", 'step "create": status 500, expected 201', "http_status"],
    ["steps", 'step "login": $.token not found in the JSON body', "content"],
    [
      "steps",
      'flow timed out after 20s in step "read" while waiting for response headers from a:80',
      "timeout",
    ],
  ];
  for (const [kind, reason, cause] of cases) {
    it(`${kind}: ${reason}`, () => {
      expect(failureCause({ status: "down", kind, reason })).toBe(cause);
    });
  }

  it("is indeterminate for unknown, none for up, and always one of the fixed list", () => {
    expect(failureCause({ status: "unknown", kind: "backup", reason: "access denied" })).toBe(
      "indeterminate",
    );
    expect(failureCause({ status: "up", kind: "http", reason: "200 OK" })).toBeUndefined();
    for (const [kind, reason] of cases)
      expect(FAILURE_CAUSES).toContain(failureCause({ status: "down", kind, reason }));
  });
});
