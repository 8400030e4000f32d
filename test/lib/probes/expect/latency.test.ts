import { describe, expect, it } from "vitest";
import { latencyConditions } from "../../../../lib/probes/expect/latency.js";

describe("latency", () => {
  it("names the fail limit, then the degraded one, with what was measured", () => {
    expect(latencyConditions(1_234.4, { degraded: 300, fail: 2_000 })).toEqual([
      {
        ok: true,
        effect: "fail",
        text: "took 1234ms, expected at most 2s",
        timing: { tookMs: 1234, limitMs: 2_000 },
      },
      {
        ok: false,
        effect: "degrade",
        text: "took 1234ms, expected at most 300ms to be up",
        timing: { tookMs: 1234, limitMs: 300 },
      },
    ]);
  });

  it("adds nothing without limits", () => {
    expect(latencyConditions(5, undefined)).toEqual([]);
    expect(latencyConditions(5, {})).toEqual([]);
  });
});
