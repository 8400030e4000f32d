import { describe, expect, it } from "vitest";
import { clip, UNTRUSTED_LIMIT, untrusted, untrustedDeep, untrustedLines } from "../../lib/text.js";

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

describe("untrusted text", () => {
  it("shows every control character as an escape and keeps the text on one line", () => {
    expect(untrusted("a\x1b[2Jb")).toBe("a\\x1b[2Jb");
    expect(untrusted("row\r\nforged")).toBe("row\\r\\nforged");
    expect(untrusted("nul\x00del\x7fcsi\x9b")).toBe("nul\\x00del\\x7fcsi\\x9b");
    expect(untrusted("\x1b]52;c;ZXZpbA==\x07")).toBe("\\x1b]52;c;ZXZpbA==\\x07");
    expect(untrusted("a\u2028b\u202ec")).toBe("a\\u2028b\\u202ec");
  });

  it("leaves tabs and printable text, markup included, as they were (outputs escape their own markup)", () => {
    expect(untrusted("status 503\tok <b> ``` é ✓")).toBe("status 503\tok <b> ``` é ✓");
  });

  it("bounds the length, escapes included", () => {
    const text = untrusted("\x00".repeat(5_000));
    expect(text.length).toBe(UNTRUSTED_LIMIT);
    expect(text.endsWith("…")).toBe(true);
    expect(untrusted("abcdef", 4)).toBe("abc…");
  });

  it("applies to every string of a plain value", () => {
    expect(untrustedDeep({ a: ["x\ny"], b: { c: "\x1b" }, n: 3, t: true })).toEqual({
      a: ["x\\ny"],
      b: { c: "\\x1b" },
      n: 3,
      t: true,
    });
  });

  it("keeps a log's lines, each made visible, and its end when it is too long", () => {
    expect(untrustedLines("one\r\ntwo\x1b[2J\rthree\n", 100)).toBe("one\ntwo\\x1b[2J\nthree\n");
    const long = untrustedLines(`${"early\n".repeat(50)}the last line`, 40);
    expect(long.length).toBe(40);
    expect(long.startsWith("…")).toBe(true);
    expect(long.endsWith("the last line")).toBe(true);
  });
});
