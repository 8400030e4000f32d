import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseChannels } from "../../../../lib/alerting/channels/config.js";
import { main } from "../../../../lib/cli/main.js";
import { stream } from "../../../support/cli.js";
import { httpTarget, type Target } from "../../../support/servers.js";

/** A local receiver that checks each body against the channel's documented shape, as the service would. */
interface Receiver {
  target: Target;
  bodies: unknown[];
}

async function receiver(
  accept: (body: Record<string, unknown>) => string | undefined,
  status = 200,
): Promise<Receiver> {
  const bodies: unknown[] = [];
  const target = await httpTarget((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text);
      } catch {
        return void res.writeHead(400).end("invalid_payload");
      }
      const problem = req.headers["content-type"] === "application/json" ? accept(body) : "content-type";
      if (problem) return void res.writeHead(400).end(problem);
      bodies.push(body);
      res.writeHead(status).end(status === 202 ? '{"status":"success"}' : "ok");
    });
  });
  return { target, bodies };
}

/** Slack incoming webhooks: `text` (the fallback), and Block Kit blocks within their limits. */
function slackShape(body: Record<string, unknown>): string | undefined {
  if (typeof body.text !== "string" || body.text.length === 0) return "missing_text";
  const blocks = body.blocks as {
    type: string;
    text?: { type: string; text: string };
    elements?: { type: string; elements?: { type: string; text: string }[] }[];
  }[];
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return "invalid_blocks";
  for (const block of blocks) {
    if (block.type === "header" && (block.text?.type !== "plain_text" || block.text.text.length > 150))
      return "invalid_blocks: header";
    if (block.type === "section" && (block.text?.type !== "mrkdwn" || block.text.text.length > 3000))
      return "invalid_blocks: section";
    if (block.type === "rich_text") {
      const kinds = ["rich_text_section", "rich_text_preformatted", "rich_text_quote", "rich_text_list"];
      for (const element of block.elements ?? []) {
        if (!kinds.includes(element.type)) return "invalid_blocks: rich_text element";
        if (!element.elements?.every((e) => e.type === "text" && typeof e.text === "string" && e.text))
          return "invalid_blocks: rich_text text";
      }
    }
  }
  return undefined;
}

/** PagerDuty Events API v2: routing_key, event_action, dedup_key; a trigger's payload fields. */
function pagerdutyShape(body: Record<string, unknown>): string | undefined {
  if (typeof body.routing_key !== "string" || body.routing_key.length !== 32) return "Invalid routing key";
  if (!["trigger", "acknowledge", "resolve"].includes(body.event_action as string))
    return "Invalid event_action";
  if (typeof body.dedup_key !== "string" || body.dedup_key.length > 255) return "Invalid dedup_key";
  if (body.event_action !== "trigger") return undefined;
  const payload = body.payload as Record<string, unknown> | undefined;
  if (!payload) return "payload is required";
  if (typeof payload.summary !== "string" || payload.summary.length > 1024) return "Invalid summary";
  if (typeof payload.source !== "string" || payload.source.length === 0) return "Invalid source";
  if (!["critical", "error", "warning", "info"].includes(payload.severity as string))
    return "Invalid severity";
  if (payload.timestamp !== undefined && Number.isNaN(Date.parse(payload.timestamp as string)))
    return "Invalid timestamp";
  return undefined;
}

/** Teams workflow webhooks: a message with one Adaptive Card attachment. */
function teamsShape(body: Record<string, unknown>): string | undefined {
  if (body.type !== "message") return "type must be message";
  const [attachment] = (body.attachments ?? []) as {
    contentType: string;
    content: {
      type: string;
      version: string;
      body: { type: string; text?: string; inlines?: { type: string; text: string }[] }[];
    };
  }[];
  if (attachment?.contentType !== "application/vnd.microsoft.card.adaptive") return "contentType";
  if (attachment.content.type !== "AdaptiveCard" || !attachment.content.version) return "card";
  const shown = (element: (typeof attachment.content.body)[number]) =>
    element.type === "TextBlock"
      ? Boolean(element.text)
      : element.type === "RichTextBlock" &&
        Boolean(element.inlines?.every((run) => run.type === "TextRun" && run.text));
  if (!attachment.content.body.every(shown)) return "body";
  return undefined;
}

let slack: Receiver;
let pagerduty: Receiver;
let teams: Receiver;
let quiet: Receiver;
let folder: string;

beforeAll(async () => {
  slack = await receiver(slackShape);
  pagerduty = await receiver(pagerdutyShape, 202);
  teams = await receiver(teamsShape);
  quiet = await receiver(() => undefined);
  folder = await mkdtemp(path.join(tmpdir(), "watchpost-channels-"));
  process.env.WATCHPOST_TEST_SLACK_URL = `${slack.target.url}/services/T000/B000/secret-path`;
  process.env.WATCHPOST_TEST_PAGERDUTY_KEY = "0123456789abcdef0123456789abcdef";
  await writeFile(
    path.join(folder, "channels.yml"),
    `channels:
  - slack: \${env:WATCHPOST_TEST_SLACK_URL}
  - pagerduty: \${env:WATCHPOST_TEST_PAGERDUTY_KEY}
    eventsUrl: ${pagerduty.target.url}/v2/enqueue
    severities: [critical]
  - teams: ${teams.target.url}/workflows/abc
    labels: { team: [payments, orders] }
  - webhook: ${quiet.target.url}/only-warnings
    severities: [warning]
`,
  );
});

afterAll(async () => {
  await Promise.all([slack, pagerduty, teams, quiet].map((r) => r.target.close()));
  delete process.env.WATCHPOST_TEST_SLACK_URL;
  delete process.env.WATCHPOST_TEST_PAGERDUTY_KEY;
});

async function cli(...args: string[]) {
  const stdout = stream();
  const stderr = stream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("notification channels", () => {
  it("sends a test FIRING and RESOLVED to Slack, PagerDuty and Teams in their documented formats, routed", async () => {
    const { code, stdout, stderr } = await cli(
      "notify",
      "--test",
      "--channels",
      path.join(folder, "channels.yml"),
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(
      '2 of 4 destinations took the test notification (2 not routed to it): "[CRITICAL] watchpost-test is DOWN: a test notification',
    );
    expect(stdout).toContain("slack ${env:WATCHPOST_TEST_SLACK_URL}: took FIRING and RESOLVED\n");
    // The Slack URL's path is its secret: the channel is named by its host alone.
    expect(stdout).not.toContain("secret-path");
    expect(slack.bodies).toHaveLength(2);
    expect((slack.bodies[0] as { text: string }).text).toMatch(/^\[CRITICAL\] watchpost-test is DOWN/);
    // PagerDuty pairs the RESOLVED with its FIRING by dedup_key.
    const [trigger, resolve] = pagerduty.bodies as { event_action: string; dedup_key: string }[];
    expect([trigger?.event_action, resolve?.event_action]).toEqual(["trigger", "resolve"]);
    expect(resolve?.dedup_key).toBe(trigger?.dedup_key);
    // Teams takes only team=payments or orders; the test notification has no team: nothing.
    expect(teams.bodies).toEqual([]);
    // The warning-only webhook gets nothing of a critical test.
    expect(quiet.bodies).toEqual([]);
  });

  it("pages through the channels from a real run: a FIRING to every channel its route matches", async () => {
    const down = await httpTarget((_req, res) => res.writeHead(503).end());
    const checks = path.join(folder, "checks");
    await writeFile(path.join(folder, "placeholder"), "");
    await import("node:fs/promises").then((fs) => fs.mkdir(checks, { recursive: true }));
    await writeFile(
      path.join(checks, "c.yml"),
      `checks:\n  - name: orders-api\n    retries: 0\n    labels: { team: orders }\n    alert: { failAfter: 1 }\n    http: { url: "${down.url}/" }\n`,
    );
    const before = { slack: slack.bodies.length, teams: teams.bodies.length, pd: pagerduty.bodies.length };
    try {
      const run = await cli(
        "run",
        "--checks",
        checks,
        "--state",
        path.join(folder, "state.json"),
        "--channels",
        path.join(folder, "channels.yml"),
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/alerts via .*: 1 delivered, 0 to retry/);
    } finally {
      await down.close();
    }
    expect(slack.bodies.length - before.slack).toBe(1);
    expect(pagerduty.bodies.length - before.pd).toBe(1);
    expect(teams.bodies.length - before.teams).toBe(1);
    expect(JSON.stringify(teams.bodies.at(-1))).toContain("orders-api is DOWN");
  });

  it("refuses a bad channels file with its position, and a refused payload is a failed delivery, exit 3", async () => {
    expect(() => parseChannels("channels:\n  - slak: https://x\n", "c.yml")).toThrow(
      /^c\.yml:2:5: channels\[0\]: unknown field "slak"; did you mean "slack"\? \(expected one of: name, webhook, slack, pagerduty, teams, alertmanager, eventsUrl, basicAuth, bearerToken, tls, severities, labels\)\nc\.yml:2:5: channels\[0\]: expected exactly one of webhook, slack, pagerduty, teams, alertmanager, found none$/,
    );
    expect(() =>
      parseChannels("channels:\n  - slack: https://x\n    severities: [urgent]\n", "c.yml"),
    ).toThrow(/c\.yml:3:18: channels\[0\]\.severities\[0\]: expected one of critical, warning, info/);
    await writeFile(
      path.join(folder, "bad-key.yml"),
      `channels:\n  - pagerduty: short\n    eventsUrl: ${pagerduty.target.url}/v2/enqueue\n`,
    );
    const refused = await cli("notify", "--test", "--channels", path.join(folder, "bad-key.yml"));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("could not send FIRING: pagerduty 127.0.0.1");
    expect(refused.stderr).toContain("400: Invalid routing key");
  });
});
