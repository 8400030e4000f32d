import type { Notification } from "../message.js";

export type Delivery = { ok: true } | { ok: false; error: string };

/** Delivers notifications; reports each one's fate, in order. Never throws for a delivery failure. */
export interface Notifier {
  readonly name: string;
  send(notifications: readonly Notification[]): Promise<Delivery[]>;
}
