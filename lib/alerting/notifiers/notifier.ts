import type { Notification } from "../message.js";
import type { Transition } from "../state-machine.js";

/**
 * One notification's fate. `permanent`: the channel refused it for good (a malformed message, a
 * sender fault); sending it again would fail again, so it goes to the dead letters at once.
 */
export type Delivery = { ok: true } | { ok: false; error: string; permanent?: boolean };

export interface SendOptions {
  /** Aborted when the run must end: every request takes it. */
  signal?: AbortSignal;
}

/** Delivers notifications; reports each one's fate, in order. Never throws for a delivery failure. */
export interface Notifier {
  readonly name: string;
  send(notifications: readonly Notification[], options?: SendOptions): Promise<Delivery[]>;
  /**
   * Tells a channel that keeps alerts alive (Alertmanager) which incidents are still firing although
   * nothing was decided for them this run. Best effort, outside the outbox: the next run tells it
   * again. Returns one line per failure; never throws.
   */
  refresh?(firing: readonly Transition[], options?: SendOptions): Promise<string[]>;
}
