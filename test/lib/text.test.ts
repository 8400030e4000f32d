import { describe, expect, it } from "vitest";
import { clip } from "../../lib/text.js";

describe("clip", () => {
  it("leaves text within the limit as it is", () => {
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("", 0)).toBe("");
  });

  it("cuts longer text so the result, marker included, fits the limit", () => {
    expect(clip("abcdef", 4)).toBe("abc…");
    expect(clip("abcdef", 4, "...")).toBe("a...");
    expect(clip("abcdef", 4, "")).toBe("abcd");
  });

  it("gives the marker alone when the limit leaves no room for text", () => {
    expect(clip("abcdef", 1)).toBe("…");
    expect(clip("abcdef", 0)).toBe("…");
  });
});
