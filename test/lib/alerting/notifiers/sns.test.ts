import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { Alerter } from "../../../../lib/alerting/alerter.js";
import { compose, notificationOf } from "../../../../lib/alerting/message.js";
import { SnsNotifier } from "../../../../lib/alerting/notifiers/sns.js";
import type { Transition } from "../../../../lib/alerting/state-machine.js";
import { MemoryStore } from "../../../../lib/alerting/stores/store.js";
import { resultFor } from "../../../support/alerting.js";
import { check } from "../../../support/checks.js";
import { HOSTILE, HOSTILE_LOG, TERMINAL_CONTROLS } from "../../../support/hostile.js";

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:watchpost";

function transition(check: string, extra: Partial<Transition> = {}): Transition {
  return {
    type: "FIRING",
    check,
    kind: "http",
    target: `https://${check}.example.com/health`,
    status: "down",
    reason: "status 503, expected 200",
    severity: "critical",
    since: "2026-11-22T00:01:00.000Z",
    failures: 3,
    at: "2026-11-22T00:03:00.000Z",
    runbook: "https://wiki.example/payments",
    labels: { team: "payments", tier: "0" },
    location: "eu-west-1",
    dedupKey: `${check}/2026-11-22T00:01:00.000Z/FIRING`,
    ...extra,
  };
}

describe("notification text", () => {
  it("gives SNS a subject it accepts and an e-mail whose quoted log cannot close its fence", () => {
    const n = notificationOf(transition("backup-job", { reason: HOSTILE, log: HOSTILE_LOG }));
    // SNS: UTF-8 with no line break or control character, under 100 characters.
    expect(n.subject).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
    expect(Array.from(n.subject).length).toBeLessThan(100);
    expect(n.subject).toMatch(/^\[CRITICAL\] backup-job is DOWN: <!channel> /);
    const lines = n.body.split("\n");
    // Every line of the e-mail is a line Watchpost wrote or a line of the log, none with a control.
    expect(n.body).not.toMatch(TERMINAL_CONTROLS);
    expect(lines.filter((l) => l.startsWith("Reason: "))).toHaveLength(1);
    const start = lines.indexOf("The job's log ends:") + 1;
    const fence = lines[start] as string;
    expect(fence).toMatch(/^`{6,}$/);
    const end = lines.indexOf(fence, start + 1);
    expect(lines.slice(start + 1, end)).toEqual(n.log?.split("\n"));
    expect(lines.slice(start + 1, end)).toContain("```");
    expect(lines[end + 1]).toBe("");
    expect(JSON.parse(lines.slice(end + 2).join("\n")).check).toBe("backup-job");
  });

  it("keeps a subject SNS accepts whatever a state entry held: white space, format characters, long text", () => {
    const n = notificationOf(transition("api", { reason: `a\tb\u200bc\ud800 ${"é".repeat(200)}` }));
    expect(n.subject).toMatch(/^\[CRITICAL\] api is DOWN: a b\\u200bc\\ud800 é+…$/);
    expect(Array.from(n.subject)).toHaveLength(99);
  });

  it("has a subject under 100 characters and a body with a JSON block", () => {
    const n = notificationOf(transition("payments-api"));
    expect(n.subject).toBe("[CRITICAL] payments-api is DOWN: status 503, expected 200");
    const long = notificationOf(transition("payments-api", { reason: "x".repeat(300) }));
    expect(long.subject.length).toBeLessThan(100);
    expect(long.subject.endsWith("…")).toBe(true);
    const [text, json] = n.body.split("\n\n");
    expect(text).toBe(
      [
        "payments-api has been DOWN since 2026-11-22T00:01:00.000Z (3 failed runs in a row).",
        "Reason: status 503, expected 200",
        "Target: https://payments-api.example.com/health",
        "Location: eu-west-1",
        "Runbook: https://wiki.example/payments",
      ].join("\n"),
    );
    expect(JSON.parse(json as string)).toEqual({
      type: "FIRING",
      check: "payments-api",
      kind: "http",
      target: "https://payments-api.example.com/health",
      status: "down",
      severity: "critical",
      reason: "status 503, expected 200",
      since: "2026-11-22T00:01:00.000Z",
      failuresInARow: 3,
      escalatedFrom: null,
      alsoFailing: [],
      at: "2026-11-22T00:03:00.000Z",
      runbook: "https://wiki.example/payments",
      labels: { team: "payments", tier: "0" },
      location: "eu-west-1",
      dedupKey: "payments-api/2026-11-22T00:01:00.000Z/FIRING",
    });
    expect(n.attributes).toEqual({
      severity: "critical",
      check: "payments-api",
      status: "down",
      kind: "http",
      dedupKey: "payments-api/2026-11-22T00:01:00.000Z/FIRING",
      team: "payments",
      tier: "0",
    });
  });

  it("words reminders and recoveries", () => {
    expect(
      notificationOf(transition("api", { type: "REMINDER", at: "2026-11-22T04:01:00.000Z" })).subject,
    ).toBe("[CRITICAL] api is still DOWN (for 4h): status 503, expected 200");
    expect(
      notificationOf(transition("api", { type: "RESOLVED", status: "up", at: "2026-11-22T00:13:00.000Z" }))
        .subject,
    ).toBe("[RESOLVED] api is UP again after 12m");
  });

  it("groups only at the threshold, per type and severity", () => {
    const warnings = ["a", "b"].map((c) => transition(c, { severity: "warning" }));
    const critical = ["c", "d", "e"].map((c) => transition(c));
    expect(compose([...warnings, ...critical], 3).map((n) => n.subject)).toEqual([
      "[WARNING] a is DOWN: status 503, expected 200",
      "[WARNING] b is DOWN: status 503, expected 200",
      "[CRITICAL] 3 checks are failing: c, d, e",
    ]);
  });
});

describe("SNS notifier", () => {
  it("publishes in batches of ten with subjects and routable attributes", async () => {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({
        Id: e.Id,
        MessageId: `m-${e.Id}`,
      })),
      Failed: [],
    }));
    const notifications = Array.from({ length: 23 }, (_, i) => notificationOf(transition(`check-${i}`)));
    const deliveries = await new SnsNotifier(new SNSClient({}), TOPIC).send(notifications);
    expect(deliveries.every((d) => d.ok)).toBe(true);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries?.length)).toEqual([10, 10, 3]);
    const entry = calls[0]?.args[0].input.PublishBatchRequestEntries?.[0];
    expect(calls[0]?.args[0].input.TopicArn).toBe(TOPIC);
    expect(entry?.Subject).toBe("[CRITICAL] check-0 is DOWN: status 503, expected 200");
    expect(entry?.MessageAttributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      check: { DataType: "String", StringValue: "check-0" },
      status: { DataType: "String", StringValue: "down" },
      kind: { DataType: "String", StringValue: "http" },
      dedupKey: { DataType: "String", StringValue: expect.stringMatching(/^check-0\//) },
      team: { DataType: "String", StringValue: "payments" },
      tier: { DataType: "String", StringValue: "0" },
    });
  });

  it("reports each failed entry on its own, and a failed call for its whole batch", async () => {
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "0" }, { Id: "2" }],
        Failed: [{ Id: "1", Code: "InternalError", Message: "try again", SenderFault: false }],
      })
      .rejects(
        Object.assign(new Error("Rate exceeded"), {
          name: "ThrottledException",
          $metadata: { httpStatusCode: 400 },
        }),
      );
    const notifier = new SnsNotifier(new SNSClient({}), TOPIC);
    const three = ["a", "b", "c"].map((c) => notificationOf(transition(c)));
    expect(await notifier.send(three)).toEqual([
      { ok: true },
      { ok: false, error: "InternalError: try again" },
      { ok: true },
    ]);
    expect(await notifier.send(three.slice(0, 2))).toEqual([
      { ok: false, error: "ThrottledException (HTTP 400): Rate exceeded" },
      { ok: false, error: "ThrottledException (HTTP 400): Rate exceeded" },
    ]);
  });
});

describe("SNS outage during a FIRING", () => {
  it("loses nothing: the notification goes out on the first run after SNS recovers", async () => {
    const outage = Object.assign(new Error("Service Unavailable"), {
      name: "InternalErrorException",
      $metadata: { httpStatusCode: 503 },
    });
    sns
      .on(PublishBatchCommand)
      .rejectsOnce(outage)
      .rejectsOnce(outage)
      .callsFake((input) => ({
        Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id })),
        Failed: [],
      }));
    const store = new MemoryStore();
    const alerter = new Alerter({
      store,
      notifier: new SnsNotifier(new SNSClient({}), TOPIC),
      location: "eu-west-1",
    });
    const spec = check({ name: "payments-api", tcp: { host: "a", port: 1 } });
    const minute = (m: number) => new Date(Date.UTC(2026, 10, 22, 0, m));
    const reports = [];
    for (let m = 0; m < 4; m++)
      reports.push(await alerter.process([resultFor("payments-api", "down")], [spec], { now: minute(m) }));
    expect(reports.map((r) => [r.decided, r.delivered, r.failed])).toEqual([
      [0, 0, 0],
      [1, 0, 1],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    const published = sns
      .commandCalls(PublishBatchCommand)
      .map((c) => c.args[0].input.PublishBatchRequestEntries?.[0]?.Subject);
    expect(published).toEqual(Array(3).fill("[CRITICAL] payments-api is DOWN: status 503, expected 200"));
    expect((await store.getMany(["payments-api"])).get("payments-api")?.outbox).toEqual([]);
  });
});
