/**
 * Notification channels a team already uses, the same locally and deployed: each channel POSTs its
 * own payload (lib/alerting/channels/formats.ts) to a target that may be a reference (`${secret:ID}`
 * deployed, `${env:NAME}` locally), resolved at send time so no URL or key sits in a template or a
 * log. A routed notifier sends each notification to the channels whose severities and labels match.
 */
import { type Resolvers, resolveReferences } from "../../checks/references.js";
import type { Severity } from "../../checks/schema.js";
import { withTimeout } from "../../deadline.js";
import { describeError } from "../../errors.js";
import { sharedClient } from "../../http/client.js";
import { redactUrl } from "../../redact.js";
import { refusedForGood } from "../../retry.js";
import { untrusted } from "../../text.js";
import { USER_AGENT } from "../../version.js";
import {
  type ChannelKind,
  PAGERDUTY_EVENTS_URL,
  pagerdutyEvents,
  slackPayload,
  teamsPayload,
  webhookPayload,
} from "../channels/formats.js";
import type { Notification } from "../message.js";
import type { Transition } from "../state-machine.js";
import { AlertmanagerNotifier } from "./alertmanager.js";
import type { Delivery, Notifier, SendOptions } from "./notifier.js";

/** Which notifications a channel takes: any of these severities, and every label named (any of its values). */
export interface Route {
  severities?: readonly Severity[];
  labels?: Readonly<Record<string, readonly string[]>>;
}

export interface ChannelSpec {
  kind: ChannelKind;
  /** The URL (webhook, Slack, Teams) or the PagerDuty routing key; may be a `${…}` reference. */
  target: string;
  /** PagerDuty only: the events endpoint (the EU service region's, say). Default the US one. */
  eventsUrl?: string;
  /** Alertmanager only: the other members of an HA set (each gets every post), as `target` is written. */
  replicas?: string[];
  /** Alertmanager only: credentials, each a reference deployed (`${secret:…}`). */
  auth?: ChannelAuth;
  route?: Route;
  /** Where the target is written (`channels.yml:4:12`), when read from a file: for messages only. */
  source?: string;
}

export interface ChannelAuth {
  basic?: { username: string; password: string };
  bearerToken?: string;
  /** PEM text (a CA to trust, a client certificate and its key), or references to it. */
  tls?: { ca?: string; cert?: string; key?: string };
}

/** Every text of a channel that may hold a reference: its targets and credentials. */
export function channelTexts(spec: ChannelSpec): string[] {
  const auth = spec.auth;
  return [
    spec.target,
    ...(spec.replicas ?? []),
    ...(auth?.basic ? [auth.basic.username, auth.basic.password] : []),
    ...(auth?.bearerToken ? [auth.bearerToken] : []),
    ...[auth?.tls?.ca, auth?.tls?.cert, auth?.tls?.key].filter((v): v is string => v !== undefined),
  ];
}

/** The notifier for one channel; `location` is the deciding location (Alertmanager's label). */
export function channelNotifier(spec: ChannelSpec, resolvers: Resolvers, location: string): Notifier {
  return spec.kind === "alertmanager"
    ? new AlertmanagerNotifier(spec, resolvers, location)
    : new ChannelNotifier(spec, resolvers);
}

/** One channel: its payloads, POSTed; 2xx is a delivery, 400 a refusal for good, the rest retried next run. */
export class ChannelNotifier implements Notifier {
  readonly name: string;

  constructor(
    private readonly spec: ChannelSpec,
    private readonly resolvers: Resolvers,
    private readonly timeoutMs = 10_000,
  ) {
    this.name = `${spec.kind} ${describeTarget(spec)}`;
  }

  async send(notifications: readonly Notification[], options: SendOptions = {}): Promise<Delivery[]> {
    let target: string;
    try {
      target = await resolveReferences(this.spec.target, this.resolvers);
    } catch (error) {
      const delivery = { ok: false as const, error: `${this.name}: ${describeError(error)}` };
      return notifications.map(() => delivery);
    }
    return Promise.all(
      notifications.map(async (n): Promise<Delivery> => {
        const requests =
          this.spec.kind === "pagerduty"
            ? pagerdutyEvents(n, target).map((body) => ({
                url: this.spec.eventsUrl ?? PAGERDUTY_EVENTS_URL,
                body,
              }))
            : [{ url: target, body: payloadFor(this.spec.kind, n) }];
        const outcomes = await Promise.all(requests.map((r) => this.post(r.url, r.body, options)));
        const failed = outcomes.filter((o) => !o.ok) as Extract<Delivery, { ok: false }>[];
        if (failed.length === 0) return { ok: true };
        return {
          ok: false,
          error: `${this.name}: ${failed.map((f) => f.error).join("; ")}`,
          ...(failed.every((f) => f.permanent) ? { permanent: true } : {}),
        };
      }),
    );
  }

  private async post(url: string, body: unknown, options: SendOptions): Promise<Delivery> {
    try {
      const answer = await sharedClient().request({
        url: new URL(url),
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": USER_AGENT },
        body: JSON.stringify(body),
        signal: withTimeout(this.timeoutMs, options.signal),
      });
      // What the receiver answered is its text, not ours: one line, bounded.
      const text = untrusted(answer.body.toString("utf8").slice(0, 200).trim(), 200);
      if (answer.status >= 200 && answer.status < 300) return { ok: true };
      return {
        ok: false,
        error: `${answer.status}${text ? `: ${text}` : ""}`,
        ...(refusedForGood(answer.status) ? { permanent: true } : {}),
      };
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  }
}

function payloadFor(kind: ChannelKind, n: Notification): unknown {
  switch (kind) {
    case "slack":
      return slackPayload(n);
    case "teams":
      return teamsPayload(n);
    default:
      return webhookPayload(n);
  }
}

/** A channel as logs may show it: its host, never the path (a Slack webhook's path is its secret). */
export function describeTarget(spec: ChannelSpec): string {
  if (spec.kind === "pagerduty") return new URL(spec.eventsUrl ?? PAGERDUTY_EVENTS_URL).host;
  if (spec.target.startsWith("${")) return spec.target;
  try {
    return redactUrl(spec.target, { path: false });
  } catch {
    return "(invalid URL)";
  }
}

/** Whether a channel with `route` takes transition `t`: its severity, and every label named. */
export function routeTakes(route: Route | undefined, t: Transition): boolean {
  if (!route) return true;
  return (
    (!route.severities || route.severities.includes(t.severity)) &&
    Object.entries(route.labels ?? {}).every(([name, values]) => values.includes(t.labels[name] ?? ""))
  );
}

export function routeMatches(route: Route | undefined, n: Notification): boolean {
  return n.transitions.some((t) => routeTakes(route, t));
}

/**
 * Several channels as one notifier: each notification goes to every channel whose route matches; it
 * is delivered when every one of them took it (a channel that failed makes the next run send it to
 * all of them again, with the same dedupKey, which PagerDuty and webhook receivers deduplicate on).
 */
export class RoutedNotifier implements Notifier {
  readonly name: string;

  constructor(private readonly channels: readonly { notifier: Notifier; route?: Route }[]) {
    this.name = channels.map((c) => c.notifier.name).join(", ");
  }

  async send(notifications: readonly Notification[], options: SendOptions = {}): Promise<Delivery[]> {
    const fates = notifications.map(() => [] as Delivery[]);
    await Promise.all(
      this.channels.map(async ({ notifier, route }) => {
        const mine = notifications.flatMap((n, i) => (routeMatches(route, n) ? [i] : []));
        if (mine.length === 0) return;
        const deliveries = await notifier
          .send(
            mine.map((i) => notifications[i] as Notification),
            options,
          )
          .catch((error: unknown) =>
            mine.map(() => ({ ok: false as const, error: `${notifier.name}: ${describeError(error)}` })),
          );
        for (const [k, i] of mine.entries())
          fates[i]?.push(deliveries[k] ?? { ok: false, error: `${notifier.name}: no answer` });
      }),
    );
    return fates.map((deliveries): Delivery => {
      const failed = deliveries.filter((d) => !d.ok) as Extract<Delivery, { ok: false }>[];
      if (failed.length === 0) return { ok: true };
      return {
        ok: false,
        error: failed.map((f) => f.error).join("; "),
        ...(failed.every((f) => f.permanent) ? { permanent: true } : {}),
      };
    });
  }

  async refresh(firing: readonly Transition[], options: SendOptions = {}): Promise<string[]> {
    const errors = await Promise.all(
      this.channels.map(async ({ notifier, route }) => {
        const mine = firing.filter((t) => routeTakes(route, t));
        if (!notifier.refresh || mine.length === 0) return [];
        return notifier
          .refresh(mine, options)
          .catch((error: unknown) => [`${notifier.name}: ${describeError(error)}`]);
      }),
    );
    return errors.flat();
  }
}
