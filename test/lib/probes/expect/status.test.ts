import { describe, expect, it } from "vitest";
import { statusCondition } from "../../../../lib/probes/expect/status.js";

describe("status", () => {
  it.each([
    [200, [200], true, "status 200"],
    [204, ["2xx"], true, "status 204"],
    [503, ["2xx"], false, "status 503, expected 2xx"],
    [404, [200, 204], false, "status 404, expected 200 or 204"],
    [101, [101], true, "status 101"],
  ] as const)("%i against %j", (status, accepted, ok, text) => {
    expect(statusCondition(status, accepted)).toEqual({ ok, effect: "fail", text });
  });
});
