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
  ])("%s → %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it("keeps only scheme and host when the path is the credential (a Slack webhook)", () => {
    expect(redactUrl("https://hooks.slack.com/services/T0/B0/XYZ", { path: false })).toBe(
      "https://hooks.slack.com",
    );
  });

  it("scrubs resolved values of four characters or more", () => {
    expect(scrub("token s3cr3t-value in /p/s3cr3t-value", new Set(["s3cr3t-value", "ok"]))).toBe(
      "token [redacted] in /p/[redacted]",
    );
  });
});
