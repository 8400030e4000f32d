/**
 * The Alertmanager channel's file forms, its refusals, and the alerts it posts for each transition
 * (labels stable for one incident, annotations carrying what changes, endsAt keeping it alive).
 */
import { describe, expect, it } from "vitest";
import { alertsOf } from "../../../../lib/alerting/channels/alertmanager.js";
import { deployProblems, parseChannels } from "../../../../lib/alerting/channels/config.js";
import type { Transition } from "../../../../lib/alerting/state-machine.js";

const firing: Transition = {
  type: "FIRING",
  check: "api",
  kind: "http",
  target: "https://api.example.com/health",
  status: "down",
  reason: "status 500, expected 2xx",
  severity: "critical",
  since: "2026-12-06T10:00:00.000Z",
  failures: 2,
  at: "2026-12-06T10:01:00.000Z",
  labels: { team: "payments", "app.kubernetes.io/name": "api", check: "spoofed" },
  location: "eu-west-1, us-east-1",
  dedupKey: "api/2026-12-06T10:00:00.000Z/FIRING",
  intervalMs: 120_000,
};

describe("alertmanager channels in channels.yml", () => {
  it("takes one base URL or an HA list, with credentials by reference", () => {
    const specs = parseChannels(
      `channels:
  - alertmanager: \${env:ALERTMANAGER_URL}
  - alertmanager:
      - \${env:AM_0_URL}
      - \${env:AM_1_URL}
    basicAuth: { username: watchpost, password: "\${env:AM_PASSWORD}" }
    tls: { ca: "\${env:AM_CA}", cert: "\${env:AM_CERT}", key: "\${env:AM_KEY}" }
    severities: [critical]
`,
      "channels.yml",
    );
    expect(specs).toEqual([
      { kind: "alertmanager", target: "${env:ALERTMANAGER_URL}", source: "channels.yml:2:19" },
      {
        kind: "alertmanager",
        target: "${env:AM_0_URL}",
        source: "channels.yml:4:7",
        replicas: ["${env:AM_1_URL}"],
        auth: {
          basic: { username: "watchpost", password: "${env:AM_PASSWORD}" },
          tls: { ca: "${env:AM_CA}", cert: "${env:AM_CERT}", key: "${env:AM_KEY}" },
        },
        route: { severities: ["critical"] },
      },
    ]);
    // Deployed, every credential must be a secret reference, each named.
    expect(deployProblems(specs, "channels.yml")).toHaveLength(8);
  });

  it("refuses credentials on other channels, both auth forms at once, and half a client certificate", () => {
    expect(() =>
      parseChannels(
        `channels:
  - slack: \${env:SLACK}
    bearerToken: \${env:T}
  - alertmanager: http://am:9093
    basicAuth: { username: a, password: b }
    bearerToken: \${env:T}
  - alertmanager: http://am:9093
    tls: { cert: "\${env:C}" }
  - alertmanager: []
`,
        "channels.yml",
      ),
    ).toThrow(
      [
        "channels.yml:3:18: channels[0].bearerToken: expected no bearerToken on this channel: only an alertmanager channel takes credentials (a Slack, Teams or webhook URL is its own secret; PagerDuty's routing key is)",
        "channels.yml:6:18: channels[1].bearerToken: expected basicAuth or bearerToken, not both (both would be sent as the one Authorization header)",
        "channels.yml:8:10: channels[2].tls: expected cert and key together (a client certificate needs both), found only cert",
        "channels.yml:9:19: channels[3].alertmanager: expected at least one Alertmanager URL in the list",
      ].join("\n"),
    );
  });
});

describe("the alerts a transition posts", () => {
  const now = new Date("2026-12-06T10:01:00.000Z");

  it("labels an incident by what stays the same, annotates it with what changes, and keeps it alive four intervals", () => {
    const [alert, ...rest] = alertsOf(firing, "eu-west-1", now);
    expect(rest).toEqual([]);
    expect(alert?.labels).toEqual({
      team: "payments",
      app_kubernetes_io_name: "api",
      alertname: "WatchpostCheckFailing",
      check: "api",
      kind: "http",
      severity: "critical",
      location: "eu-west-1",
    });
    expect(alert?.annotations).toMatchObject({
      summary: "status 500, expected 2xx",
      target: "https://api.example.com/health",
      locations: "eu-west-1, us-east-1",
      dedupKey: "api/2026-12-06T10:00:00.000Z/FIRING",
    });
    expect(alert?.startsAt).toBe(firing.since);
    // Four 2-minute intervals, but never under 5 minutes.
    expect(alert?.endsAt).toBe("2026-12-06T10:09:00.000Z");
    expect(alertsOf({ ...firing, intervalMs: 30_000 }, "eu-west-1", now)[0]?.endsAt).toBe(
      "2026-12-06T10:06:00.000Z",
    );
  });

  it("ends the alert on RESOLVED, and ends the old severity's alert on an escalation", () => {
    const resolved = alertsOf(
      { ...firing, type: "RESOLVED", status: "up", at: "2026-12-06T10:30:00.000Z" },
      "eu-west-1",
      now,
    );
    expect(resolved.map((a) => a.endsAt)).toEqual(["2026-12-06T10:30:00.000Z"]);
    const escalated = alertsOf({ ...firing, escalatedFrom: "warning" }, "eu-west-1", now);
    expect(escalated.map((a) => [a.labels.severity, a.endsAt])).toEqual([
      ["critical", "2026-12-06T10:09:00.000Z"],
      ["warning", firing.at],
    ]);
  });
});
