import { describe, expect, it } from "vitest";
import { redactUrl, scrub } from "../../lib/redact.js";

describe("the redaction rule", () => {
  it.each([
    ["https://api.example.com/health", "https://api.example.com/health"],
    ["https://api.example.com", "https://api.example.com"],
    ["https://user:pa55@api.example.com/x", "https://api.example.com/x"],
    ["https://api.example.com/x?token=s3cr3t&v=1#frag", "https://api.example.com/x?token=…&v=…"],
    ["http://${env:USER}:${env:PASS}@h/${secret:p}?k=${secret:v}", "http://h/${secret:p}?k=…"],
    ["${env:BASE}/health", "${env:BASE}/health"],
    ["s3://backups/exports/", "s3://backups/exports/"],
    ["db.internal:5432", "db.internal:5432"],
    // Userinfo ends at the last `@` before the path, as the URL standard reads it.
    ["https://user:p@ss@host/x", "https://host/x"],
    ["https://us@er:p@ss:w@rd@host:8443/x", "https://host:8443/x"],
    ["https://user:p:a:ss@host/x", "https://host/x"],
    ["https://user:p%40ss%3Aw%2F@host/x", "https://host/x"],
    ["https://:only-a-password@host", "https://host"],
    ["postgres://admin:s3@cr3t@db.internal:5432/app", "postgres://db.internal:5432/app"],
    ["https://host/x?token=s3cr3t&sig=a%26b%3Dc=d&=anon", "https://host/x?token=…&sig=…&=…"],
    ["https://host/hook?AbCdEfBareToken", "https://host/hook?…"],
    ["https://host/x#access_token=s3cr3t", "https://host/x"],
    ["https://host/users/%40me?q=1", "https://host/users/%40me?q=…"],
    ["https://[::1]:8080/x?k=v", "https://[::1]:8080/x?k=…"],
    ["https://user:p@ss@${env:HOST}/h?k=${secret:v}", "https://${env:HOST}/h?k=…"],
    // What does not parse loses at least as much: up to the last `@`, query values, fragment.
    ["https://user:pa/ss@host/x?k=v#f", "https://host/x?k=…"],
    ["https://user:p@ss@ho st/x", "https://ho st/x"],
    ["https://user:p@ss@${env:HOST}:${env:PORT}/x?t=1", "https://${env:HOST}:${env:PORT}/x?t=…"],
    ["admin:s3cr3t@db.internal:5432", "db.internal:5432"],
    ["${env:BASE}/health?token=s3cr3t", "${env:BASE}/health?token=…"],
  ])("%s → %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it("keeps only scheme and host when the path is the credential (a Slack webhook)", () => {
    expect(redactUrl("https://hooks.slack.com/services/T0/B0/XYZ", { path: false })).toBe(
      "https://hooks.slack.com",
    );
    expect(redactUrl("https://user:p@ss@hooks.example.com:444/T0/XYZ", { path: false })).toBe(
      "https://hooks.example.com:444",
    );
    expect(redactUrl("https://user:pa/ss@host/T0/XYZ", { path: false })).toBe("https://host");
  });

  it("scrubs resolved values of four characters or more", () => {
    expect(scrub("token s3cr3t-value in /p/s3cr3t-value", new Set(["s3cr3t-value", "ok"]))).toBe(
      "token [redacted] in /p/[redacted]",
    );
  });
});
