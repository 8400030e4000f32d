import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationOf } from "../../../../lib/alerting/message.js";
import { ChannelNotifier } from "../../../../lib/alerting/notifiers/channel.js";
import { ANY_CONTROL, HOSTILE } from "../../../support/hostile.js";
import { httpTarget, type Target } from "../../../support/servers.js";

let receiver: Target;

beforeAll(async () => {
  receiver = await httpTarget((_req, res) => res.writeHead(400).end(`\x1b[2J${HOSTILE}`));
});
afterAll(() => receiver.close());

describe("a channel's refusal", () => {
  it("quotes what the receiver answered on one line, control characters as escapes, bounded", async () => {
    const notifier = new ChannelNotifier({ kind: "webhook", target: `${receiver.url}/hook` }, {});
    const [delivery] = await notifier.send([
      notificationOf({
        type: "FIRING",
        check: "api",
        kind: "http",
        target: "https://api.example/",
        status: "down",
        reason: "status 503, expected 200",
        severity: "critical",
        since: "2026-11-22T00:01:00.000Z",
        failures: 1,
        at: "2026-11-22T00:03:00.000Z",
        labels: {},
        location: "local",
        dedupKey: "api/2026-11-22T00:01:00.000Z/FIRING",
      }),
    ]);
    expect(delivery?.ok).toBe(false);
    const error = delivery?.ok === false ? delivery.error : "";
    expect(error).toContain("400: \\x1b[2J<!channel>");
    expect(error).not.toMatch(ANY_CONTROL);
    expect(error.length).toBeLessThan(300);
  });
});
