/** SNS: PublishBatch in tens, with per-entry failures, subjects and routable message attributes. */
import { type MessageAttributeValue, PublishBatchCommand } from "@aws-sdk/client-sns";
import type { Notification } from "../message.js";
import type { Delivery, Notifier } from "./notifier.js";

export interface SnsLike {
  send(
    command: PublishBatchCommand,
  ): Promise<{ Successful?: { Id?: string }[]; Failed?: { Id?: string; Code?: string; Message?: string }[] }>;
}

/** SNS's own limit: 10 entries per PublishBatch. */
const BATCH = 10;

export class SnsNotifier implements Notifier {
  readonly name: string;

  constructor(
    private readonly client: SnsLike,
    private readonly topicArn: string,
  ) {
    this.name = `sns ${topicArn}`;
  }

  async send(notifications: readonly Notification[]): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (let start = 0; start < notifications.length; start += BATCH) {
      const batch = notifications.slice(start, start + BATCH);
      deliveries.push(...(await this.publish(batch)));
    }
    return deliveries;
  }

  private async publish(batch: readonly Notification[]): Promise<Delivery[]> {
    try {
      const response = await this.client.send(
        new PublishBatchCommand({
          TopicArn: this.topicArn,
          PublishBatchRequestEntries: batch.map((n, index) => ({
            Id: String(index),
            Subject: n.subject,
            Message: n.body,
            MessageAttributes: Object.fromEntries(
              Object.entries(n.attributes).map(([name, value]): [string, MessageAttributeValue] => [
                name,
                { DataType: "String", StringValue: value },
              ]),
            ),
          })),
        }),
      );
      const failed = new Map(
        (response.Failed ?? []).map((f) => [f.Id, `${f.Code ?? "Failed"}: ${f.Message ?? "no message"}`]),
      );
      const succeeded = new Set((response.Successful ?? []).map((s) => s.Id));
      return batch.map((_, index): Delivery => {
        const id = String(index);
        if (succeeded.has(id)) return { ok: true };
        return { ok: false, error: failed.get(id) ?? "not in SNS's answer" };
      });
    } catch (error) {
      const err = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode;
      return batch.map(() => ({
        ok: false,
        error: `${err.name}${status ? ` (HTTP ${status})` : ""}: ${err.message}`,
      }));
    }
  }
}
