import { describe, expect, it } from "vitest";
import { contentConditions } from "../../../../lib/probes/expect/content.js";
import type { Condition } from "../../../../lib/result.js";

const texts = (conditions: Condition[]) => conditions.map((c) => [c.ok, c.effect, c.text]);

describe("content: a body, or any text a target sent", () => {
  it("says what the text holds and misses, named by its subject", () => {
    expect(
      texts(
        contentConditions("body", '{"status":"ok","n":3}', { contains: ["ok", "down"], matches: "n.:\\d" }),
      ),
    ).toEqual([
      [true, "fail", 'body contains "ok"'],
      [false, "fail", 'body does not contain "down"'],
      [true, "fail", "body matches /n.:\\d/"],
    ]);
    expect(texts(contentConditions("message", "pong", { matches: "^ping$" }))).toEqual([
      [false, "fail", "message does not match /^ping$/"],
    ]);
  });

  it("reads JSON once for every path, and says when it is not JSON", () => {
    expect(
      texts(
        contentConditions("body", '{"status":"ok","items":[{"id":7}]}', {
          json: [
            { path: "$.status", equals: "ok" },
            { path: "$.items[0].id", equals: 8 },
            { path: "$.missing", exists: false },
          ],
        }),
      ),
    ).toEqual([
      [true, "fail", '$.status is "ok"'],
      [false, "fail", "$.items[0].id is 7, expected 8"],
      [true, "fail", "$.missing is missing"],
    ]);
    const [notJson] = contentConditions("message", "<html>", { json: [{ path: "$.a", exists: true }] });
    expect(notJson?.ok).toBe(false);
    expect(notJson?.text).toMatch(/^message is not valid JSON \(.+\)$/);
  });

  it("adds nothing when nothing is expected", () => {
    expect(contentConditions("body", "x", {})).toEqual([]);
  });
});
