import { describe, expect, it } from "vitest";
import { headerConditions, headerValue } from "../../../../lib/probes/expect/headers.js";
import type { Condition } from "../../../../lib/result.js";

const texts = (conditions: Condition[]) => conditions.map((c) => [c.ok, c.effect, c.text]);

describe("headers", () => {
  const headers = { "cache-control": "no-store", "set-cookie": ["a=1", "b=2"] };

  it("reads a header by any case, a repeated one joined", () => {
    expect(headerValue(headers, "Cache-Control")).toBe("no-store");
    expect(headerValue(headers, "set-cookie")).toBe("a=1, b=2");
    expect(headerValue(headers, "etag")).toBeUndefined();
  });

  it("names each header as written, in order", () => {
    expect(
      texts(
        headerConditions(
          {
            "Cache-Control": { equals: "no-store" },
            ETag: { exists: true },
            "Set-Cookie": { matches: "b=2" },
          },
          headers,
        ),
      ),
    ).toEqual([
      [true, "fail", 'header Cache-Control is "no-store"'],
      [false, "fail", "header ETag is missing, expected it to exist"],
      [true, "fail", 'header Set-Cookie is "a=1, b=2"'],
    ]);
  });
});
