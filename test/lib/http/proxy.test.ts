import { describe, expect, it } from "vitest";
import { parseProxy, proxyFor } from "../../../lib/http/proxy.js";

const env = (noProxy: string) => ({ HTTPS_PROXY: "http://proxy.internal:3128", NO_PROXY: noProxy });

describe("which proxy a request goes through", () => {
  const cases: [string, string, boolean][] = [
    ["https://api.example.com/", "", true],
    ["https://api.example.com/", "*", false],
    ["https://api.example.com/", "example.com", false],
    ["https://api.example.com/", ".example.com", false],
    ["https://example.com/", ".example.com", false],
    ["https://notexample.com/", "example.com", true],
    ["https://api.example.com/", "example.com:8443", true],
    ["https://api.example.com:8443/", "example.com:8443", false],
    ["https://10.1.2.3/", "10.0.0.0/8", false],
    ["https://11.1.2.3/", "10.0.0.0/8", true],
    ["https://10.1.2.3/", "10.1.2.3", false],
    ["https://[::1]:8443/", "::1", false],
    ["https://[::1]:8443/", "[::1]:8443", false],
    ["https://[fd00::5]/", "fd00::/8", false],
    ["https://localhost/", "LOCALHOST, 127.0.0.1", false],
  ];
  it.each(cases)("%s with NO_PROXY=%j goes through the proxy: %s", (url, noProxy, proxied) => {
    expect(proxyFor(new URL(url), undefined, env(noProxy)) !== undefined).toBe(proxied);
  });

  it("reads HTTP_PROXY for http and HTTPS_PROXY for https, lower case first, as curl", () => {
    const both = {
      HTTP_PROXY: "http://plain:80",
      https_proxy: "http://lower:3128",
      HTTPS_PROXY: "http://upper:3128",
    };
    expect(proxyFor(new URL("http://a/"), undefined, both)?.where).toBe("plain:80");
    expect(proxyFor(new URL("https://a/"), undefined, both)?.where).toBe("lower:3128");
    expect(proxyFor(new URL("https://a/"), undefined, {})).toBeUndefined();
  });

  it("takes the check's own proxy over the environment and NO_PROXY", () => {
    expect(proxyFor(new URL("https://a.example.com/"), "http://own:8080", env("*"))?.where).toBe("own:8080");
  });

  it("makes Basic credentials from the URL or from fields, and names the proxy without them", () => {
    const inUrl = parseProxy("http://user:p%40ss@proxy:3128", "x");
    expect(inUrl).toEqual({
      host: "proxy",
      port: 3128,
      where: "proxy:3128",
      authorization: `Basic ${Buffer.from("user:p@ss").toString("base64")}`,
    });
    expect(parseProxy({ url: "proxy:3128", username: "u", password: "a:b@c" }, "x").authorization).toBe(
      `Basic ${Buffer.from("u:a:b@c").toString("base64")}`,
    );
    expect(() => parseProxy("https://proxy:443", "HTTPS_PROXY")).toThrow(
      /^HTTPS_PROXY must be an http:\/\/ proxy/,
    );
  });
});
