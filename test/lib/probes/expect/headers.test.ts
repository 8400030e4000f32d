import { describe, expect, it } from "vitest";
import { headerConditions, headerValues } from "../../../../lib/probes/expect/headers.js";
import type { Condition } from "../../../../lib/result.js";

const texts = (conditions: Condition[]) => conditions.map((c) => [c.ok, c.effect, c.text]);

describe("headers", () => {
  const headers = { "cache-control": "no-store", "set-cookie": ["a=1", "b=2"] };

  it("reads a header by any case, a repeated one occurrence by occurrence", () => {
    expect(headerValues(headers, "Cache-Control")).toEqual(["no-store"]);
    expect(headerValues(headers, "set-cookie")).toEqual(["a=1", "b=2"]);
    expect(headerValues(headers, "etag")).toEqual([]);
  });

  it("passes a repeated header when any occurrence passes, as blackbox_exporter, and quotes them all when none does", () => {
    const cookies = { "set-cookie": ["a=1", "b=2", "c=3", "d=4"] };
    expect(
      texts(
        headerConditions(
          {
            "Set-Cookie": { equals: "b=2" },
            "set-cookie": { matches: "^a=1, b=2$" },
            "SET-COOKIE": { equals: "e=5" },
          },
          cookies,
        ),
      ),
    ).toEqual([
      [true, "fail", 'header Set-Cookie is "b=2"'],
      [
        false,
        "fail",
        'header set-cookie is "a=1", "b=2", "c=3", 1 more (sent 4 times), expected to match /^a=1, b=2$/',
      ],
      [false, "fail", 'header SET-COOKIE is "a=1", "b=2", "c=3", 1 more (sent 4 times), expected "e=5"'],
    ]);
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
      [true, "fail", 'header Set-Cookie is "b=2"'],
    ]);
  });
});
