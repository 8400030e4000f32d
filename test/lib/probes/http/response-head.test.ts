import { describe, expect, it } from "vitest";
import { headerText, locationReference, parseHead } from "../../../../lib/probes/http/response-head.js";

/** A header value as the parser holds it: the bytes sent, one latin1 character each. */
const sent = (text: string, encoding: BufferEncoding = "utf8") =>
  Buffer.from(text, encoding).toString("latin1");

describe("a response head", () => {
  it("reads header values as UTF-8 where their bytes are UTF-8, as latin1 where they are not", () => {
    expect(headerText(sent("résumé"))).toBe("résumé");
    expect(headerText(sent("résumé", "latin1"))).toBe("résumé");
    expect(headerText("plain")).toBe("plain");
  });

  it("sends a raw UTF-8 Location on as curl does: each byte percent-encoded, never re-encoded", () => {
    const reference = locationReference(sent("/files/my report/résumé.txt"));
    expect(reference).toBe("/files/my report/r%C3%A9sum%C3%A9.txt");
    expect(new URL(reference, "http://h/").pathname).toBe("/files/my%20report/r%C3%A9sum%C3%A9.txt");
    expect(locationReference(sent("/caf\u00e9", "latin1"))).toBe("/caf%E9");
  });

  it("reads a status line without a reason phrase, and names one that is not HTTP", () => {
    expect(parseHead("HTTP/1.1 204\r\n")).toEqual({
      version: "1.1",
      status: 204,
      statusText: "",
      headers: {},
    });
    expect(() => parseHead("HTTP/2 200\r\n")).toThrow(/not an HTTP status line/);
    expect(() => parseHead("HTTP/1.1 200 OK\r\nBad Name: x\r\n")).toThrow(/without a name/);
  });
});
