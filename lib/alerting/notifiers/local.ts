/** The console notifier, for local runs without a destination: each notification's subject, printed. */
import { visible } from "../../text.js";
import type { Notification } from "../message.js";
import type { Delivery, Notifier } from "./notifier.js";

/** Prints each notification's subject (on a terminal: control characters as escapes): always delivered. */
export class ConsoleNotifier implements Notifier {
  readonly name = "console";

  constructor(private readonly write: (line: string) => void) {}

  async send(notifications: readonly Notification[]): Promise<Delivery[]> {
    for (const n of notifications) this.write(`${n.type.padEnd(8)} ${visible(n.subject)}`);
    return notifications.map(() => ({ ok: true }));
  }
}
