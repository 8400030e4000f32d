/**
 * Alertmanager as a channel: every transition, and every run's still-firing incidents, POSTed as
 * alerts to `/api/v2/alerts` of each Alertmanager of the set (an HA pair gets every post, as
 * Prometheus does it; the members gossip, so one accepting is a delivery). Credentials (basic auth,
 * a bearer token, a client certificate) are references resolved at send time and never logged.
 */
import { type Resolvers, resolveReferences } from "../../checks/references.js";
import { withTimeout } from "../../deadline.js";
import { describeError } from "../../errors.js";
import { type OutgoingRequest, sharedClient } from "../../http/client.js";
import { redactUrl } from "../../redact.js";
import { refusedForGood } from "../../retry.js";
import { untrusted } from "../../text.js";
import { USER_AGENT } from "../../version.js";
import { alertsOf, type PostableAlert } from "../channels/alertmanager.js";
import type { Notification } from "../message.js";
import type { Transition } from "../state-machine.js";
import type { ChannelSpec } from "./channel.js";
import type { Delivery, Notifier, SendOptions } from "./notifier.js";

interface Member {
  url: URL;
  headers: Record<string, string>;
  tls?: OutgoingRequest["tls"];
}

export class AlertmanagerNotifier implements Notifier {
  readonly name: string;

  constructor(
    private readonly spec: ChannelSpec,
    private readonly resolvers: Resolvers,
    /** The deciding location's name: the alerts' stable `location` label. */
    private readonly location: string,
    private readonly timeoutMs = 10_000,
  ) {
    const shown = [spec.target, ...(spec.replicas ?? [])].map((t) =>
      t.startsWith("${") ? t : safeRedact(t),
    );
    this.name = `alertmanager ${shown.join(", ")}`;
  }

  async send(notifications: readonly Notification[], options: SendOptions = {}): Promise<Delivery[]> {
    const now = new Date();
    return Promise.all(
      notifications.map((n) =>
        this.post(
          n.transitions.flatMap((t) => alertsOf(t, this.location, now)),
          options,
        ),
      ),
    );
  }

  async refresh(firing: readonly Transition[], options: SendOptions = {}): Promise<string[]> {
    if (firing.length === 0) return [];
    const now = new Date();
    const delivery = await this.post(
      firing.flatMap((t) => alertsOf(t, this.location, now)),
      options,
    );
    return delivery.ok ? [] : [`still firing, not re-posted: ${delivery.error}`];
  }

  /** One post to every member; delivered when one accepted, refused for good when all refused so. */
  private async post(alerts: PostableAlert[], options: SendOptions): Promise<Delivery> {
    let members: Member[];
    try {
      members = await this.members();
    } catch (error) {
      return { ok: false, error: `${this.name}: ${describeError(error)}` };
    }
    const body = JSON.stringify(alerts);
    const outcomes = await Promise.all(members.map((m) => this.postTo(m, body, options)));
    if (outcomes.some((o) => o.ok)) return { ok: true };
    const failed = outcomes as Extract<Delivery, { ok: false }>[];
    return {
      ok: false,
      error: `${this.name}: ${failed.map((f) => f.error).join("; ")}`,
      ...(failed.every((f) => f.permanent) ? { permanent: true } : {}),
    };
  }

  private async postTo(member: Member, body: string, options: SendOptions): Promise<Delivery> {
    const where = safeRedact(member.url.href);
    try {
      const answer = await sharedClient().request({
        url: member.url,
        method: "POST",
        headers: { ...member.headers, "content-type": "application/json", "user-agent": USER_AGENT },
        body,
        signal: withTimeout(this.timeoutMs, options.signal),
        ...(member.tls ? { tls: member.tls } : {}),
      });
      if (answer.status >= 200 && answer.status < 300) return { ok: true };
      // What the receiver answered is its text, not ours: one line, bounded.
      const text = untrusted(answer.body.toString("utf8").slice(0, 200).trim(), 200);
      return {
        ok: false,
        error: `${where}: ${answer.status}${text ? `: ${text}` : ""}`,
        ...(refusedForGood(answer.status) ? { permanent: true } : {}),
      };
    } catch (error) {
      return { ok: false, error: `${where}: ${describeError(error)}` };
    }
  }

  /** Each member's alerts endpoint and credentials, references resolved. */
  private async members(): Promise<Member[]> {
    const resolve = (text: string) => resolveReferences(text, this.resolvers);
    const auth = this.spec.auth;
    const headers: Record<string, string> = {};
    if (auth?.basic) {
      const [user, password] = await Promise.all([
        resolve(auth.basic.username),
        resolve(auth.basic.password),
      ]);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    } else if (auth?.bearerToken) headers.authorization = `Bearer ${await resolve(auth.bearerToken)}`;
    let tls: Member["tls"];
    if (auth?.tls) {
      const [ca, cert, key] = await Promise.all(
        [auth.tls.ca, auth.tls.cert, auth.tls.key].map((v) => (v === undefined ? undefined : resolve(v))),
      );
      tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
    }
    const bases = await Promise.all([this.spec.target, ...(this.spec.replicas ?? [])].map(resolve));
    return bases.map((base) => {
      const url = alertsUrl(base);
      const own = { ...headers };
      // Credentials in the URL (`https://user:pass@am/`) are sent as basic auth, not as a URL.
      if (url.username && !own.authorization)
        own.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
      url.username = "";
      url.password = "";
      return { url, headers: own, ...(tls ? { tls } : {}) };
    });
  }
}

/** `<base>/api/v2/alerts` for an Alertmanager's base URL (which may carry a route prefix). */
export function alertsUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(
      `expected an Alertmanager base URL such as http://alertmanager:9093, found an invalid URL`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`expected an http:// or https:// Alertmanager URL, found ${url.protocol}`);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
  url.search = "";
  url.hash = "";
  return url;
}

function safeRedact(url: string): string {
  try {
    return redactUrl(url, { path: false });
  } catch {
    return "(invalid URL)";
  }
}
