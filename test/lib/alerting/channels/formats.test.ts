import { describe, expect, it } from "vitest";
import { alertsOf } from "../../../../lib/alerting/channels/alertmanager.js";
import {
  pagerdutyEvents,
  slackPayload,
  teamsPayload,
  webhookPayload,
} from "../../../../lib/alerting/channels/formats.js";
import { notificationOf, summaryOf } from "../../../../lib/alerting/message.js";
import type { Transition } from "../../../../lib/alerting/state-machine.js";
import { ANY_CONTROL, HOSTILE, HOSTILE_LOG, stringsIn, TERMINAL_CONTROLS } from "../../../support/hostile.js";

/**
 * Hostile text as it could reach an output: raw, as a state entry written before the engine escaped
 * it would hold it (what the engine writes today is milder: tests/lib/engine.test.ts).
 */
function hostile(extra: Partial<Transition> = {}): Transition {
  return {
    type: "FIRING",
    check: "backup-job",
    kind: "heartbeat",
    target: "heartbeat:backup-job",
    status: "down",
    reason: HOSTILE,
    severity: "critical",
    since: "2026-11-22T00:01:00.000Z",
    failures: 1,
    at: "2026-11-22T00:03:00.000Z",
    runbook: "javascript:alert(1)//",
    labels: { team: "payments" },
    location: "eu-west-1",
    log: HOSTILE_LOG,
    dedupKey: "backup-job/2026-11-22T00:01:00.000Z/FIRING",
    ...extra,
  };
}

interface SlackBlock {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; text?: string; url?: string; elements?: { type: string; text: string }[] }[];
}

describe("Slack", () => {
  const payload = slackPayload(notificationOf(hostile())) as { text: string; blocks: SlackBlock[] };
  const mrkdwn = [
    payload.text,
    ...payload.blocks.flatMap((b) => [
      ...(b.text?.type === "mrkdwn" ? [b.text.text] : []),
      ...(b.elements ?? []).flatMap((e) => (e.type === "mrkdwn" && e.text ? [e.text] : [])),
    ]),
  ];
  const rich = payload.blocks.find((b) => b.type === "rich_text");

  it("never lets target text form a mention or a link in mrkdwn: & < > are entities", () => {
    for (const text of mrkdwn) expect(text).not.toMatch(/[<>]/);
    expect(payload.text).toContain("&lt;!channel&gt;");
    expect(payload.text).not.toMatch(TERMINAL_CONTROLS);
  });

  it("shows the reason as rich text, which Slack never reads as markup, on its lines", () => {
    const [section] = rich?.elements ?? [];
    const shown = section?.elements?.[0]?.text ?? "";
    expect(section?.type).toBe("rich_text_section");
    expect(shown).toContain("<!channel> <@U024BE7LH>");
    expect(shown).toContain("*bold* _italic_");
    expect(shown).toContain("\\x1b[2J");
    expect(shown).toContain("\\r\\nCHECK");
    expect(shown).toContain("nul\\x00del\\x7f\\u202eevil");
    expect(shown).not.toMatch(TERMINAL_CONTROLS);
  });

  it("quotes the job's log in a preformatted element that its backticks cannot close", () => {
    const pre = rich?.elements?.find((e) => e.type === "rich_text_preformatted");
    const log = pre?.elements?.[0]?.text ?? "";
    expect(log.split("\n")).toContain("```");
    expect(log).toContain("\\x1b]52;c;ZXZpbA==\\x07cleared");
    expect(log).not.toMatch(TERMINAL_CONTROLS);
  });

  it("gives a runbook that is not http(s) no button, and an http(s) one its button", () => {
    expect(payload.blocks.some((b) => b.type === "actions")).toBe(false);
    const good = slackPayload(notificationOf(hostile({ runbook: "https://wiki.example/backup" }))) as {
      blocks: SlackBlock[];
    };
    const buttons = good.blocks.find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((b) => b.url)).toEqual(["https://wiki.example/backup"]);
  });
});

interface Card {
  attachments: { content: { body: { type: string; text?: string; inlines?: Record<string, string>[] }[] } }[];
}

describe("Teams", () => {
  const card = teamsPayload(notificationOf(hostile())) as Card;
  const body = card.attachments[0]?.content.body ?? [];

  it("shows every piece of text as a TextRun, which Adaptive Cards never read as markdown", () => {
    expect(body.length).toBeGreaterThan(0);
    for (const element of body) {
      expect(element.type).toBe("RichTextBlock");
      for (const run of element.inlines ?? []) {
        expect(run.type).toBe("TextRun");
        expect(run.text).not.toMatch(ANY_CONTROL);
      }
    }
    const shown = body.flatMap((e) => e.inlines ?? []).map((run) => run.text);
    expect(shown.some((t) => t?.includes("[runbook](https://evil.example/) javascript:alert(1)"))).toBe(true);
    expect(shown.some((t) => t?.includes("<script>alert(1)</script>"))).toBe(true);
  });

  it("quotes the log line by line in a monospace font, the backticks as text", () => {
    const runs = body.flatMap((e) => e.inlines ?? []).filter((run) => run.fontType === "Monospace");
    expect(runs.map((run) => run.text)).toContain("```");
    expect(runs.map((run) => run.text)).toContain("nul\\x00 end");
  });
});

describe("PagerDuty", () => {
  const [event] = pagerdutyEvents(notificationOf(hostile()), "0123456789abcdef0123456789abcdef") as {
    payload: { summary: string };
    links?: unknown[];
  }[];

  it("gets a one-line summary within its limit, control characters as escapes", () => {
    expect(event?.payload.summary).not.toMatch(ANY_CONTROL);
    expect(event?.payload.summary.length).toBeLessThanOrEqual(1024);
    const summary = pagerdutyEvents(summaryOf([hostile(), hostile({ check: "other" })]), "k")[0] as {
      payload: { summary: string };
    };
    expect(summary.payload.summary).toContain("\\x1b[2J");
    expect(summary.payload.summary).not.toMatch(ANY_CONTROL);
  });

  it("links a runbook only when it is http(s)", () => {
    expect(event?.links).toBeUndefined();
    const [good] = pagerdutyEvents(notificationOf(hostile({ runbook: "https://wiki.example/b" })), "k") as {
      links?: unknown[];
    }[];
    expect(good?.links).toEqual([{ href: "https://wiki.example/b", text: "Runbook" }]);
  });
});

describe("webhook", () => {
  it("sends the subject SNS would take and the target's text as JSON data", () => {
    const payload = webhookPayload(notificationOf(hostile())) as {
      subject: string;
      transitions: { reason: string }[];
    };
    expect(payload.subject).not.toMatch(ANY_CONTROL);
    expect(Array.from(payload.subject).length).toBeLessThan(100);
    // Data for a machine, which escapes it for its own output; no control character in it, though.
    expect(payload.transitions[0]?.reason).toContain("<!channel> <@U024BE7LH>");
    expect(payload.transitions[0]?.reason).toContain("\\x1b[2J");
    expect(stringsIn(payload).filter((text) => TERMINAL_CONTROLS.test(text))).toEqual([]);
    expect(JSON.stringify(payload)).not.toMatch(ANY_CONTROL);
  });
});

describe("Alertmanager", () => {
  it("gets annotations without control characters, the log fenced, and a runbook_url only when http(s)", () => {
    const [alert] = alertsOf(hostile(), "eu-west-1", new Date("2026-11-22T00:03:00.000Z"));
    const annotations = alert?.annotations ?? {};
    expect(annotations.summary).not.toMatch(ANY_CONTROL);
    expect(annotations.summary).toContain("\\x1b[2J");
    expect(annotations.description).not.toMatch(TERMINAL_CONTROLS);
    expect(annotations.description).toContain("\n``````\n");
    expect(annotations.runbook_url).toBeUndefined();
    const [good] = alertsOf(hostile({ runbook: "https://wiki.example/b" }), "eu-west-1", new Date());
    expect(good?.annotations.runbook_url).toBe("https://wiki.example/b");
  });
});
