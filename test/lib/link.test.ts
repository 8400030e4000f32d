import { describe, expect, it } from "vitest";
import { isLink } from "../../lib/link.js";

describe("what a notification may link to", () => {
  it.each([
    "https://wiki.example/payments",
    "http://wiki/runbooks/api#when-it-fails",
    "HTTPS://WIKI.EXAMPLE/",
  ])("takes the absolute http(s) URL %s", (url) => expect(isLink(url)).toBe(true));

  it.each([
    "javascript:alert(1)//",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:oncall@example.com",
    "/wiki/payments",
    "wiki.example/payments",
    "https:wiki.example",
    "https://",
    " https://wiki.example/",
    "https://wiki.example/\nforged",
    "https://wiki.example/\x1b[2J",
    "",
  ])("refuses %j", (url) => expect(isLink(url)).toBe(false));
});
