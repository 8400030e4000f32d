/** Notifiers for local use: a webhook that receives each notification as JSON, and the console. */
import { request } from "undici";
import { withTimeout } from "../../deadline.js";
import { redactUrl } from "../../redact.js";
import { USER_AGENT } from "../../version.js";
import { type Notification, transitionJson } from "../message.js";
import type { Delivery, Notifier, SendOptions } from "./notifier.js";

/** POSTs each notification as JSON; a 2xx answer is a delivery, anything else is retried next run. */
export class WebhookNotifier implements Notifier {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {
    // The URL may be the credential (a Slack webhook's path): it is named by scheme and host alone.
    this.name = `webhook ${redactUrl(url, { path: false })}`;
  }

  async send(notifications: readonly Notification[], options: SendOptions = {}): Promise<Delivery[]> {
    return Promise.all(
      notifications.map(async (n): Promise<Delivery> => {
        try {
          const response = await request(this.url, {
            method: "POST",
            headers: { "content-type": "application/json", "user-agent": USER_AGENT },
            body: JSON.stringify({
              subject: n.subject,
              type: n.type,
              severity: n.severity,
              dedupKey: n.dedupKey,
              transitions: n.transitions.map(transitionJson),
            }),
            signal: withTimeout(this.timeoutMs, options.signal),
          });
          const text = (await response.body.text()).slice(0, 200).trim();
          if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
          return {
            ok: false,
            error: `${response.statusCode} from ${new URL(this.url).host}${text ? `: ${text}` : ""}`,
          };
        } catch (error) {
          const err = error as Error & { code?: string };
          return { ok: false, error: `${err.code ?? err.name}: ${err.message}` };
        }
      }),
    );
  }
}

/** Prints each notification's subject: always delivered. */
export class ConsoleNotifier implements Notifier {
  readonly name = "console";

  constructor(private readonly write: (line: string) => void) {}

  async send(notifications: readonly Notification[]): Promise<Delivery[]> {
    for (const n of notifications) this.write(`${n.type.padEnd(8)} ${n.subject}`);
    return notifications.map(() => ({ ok: true }));
  }
}
