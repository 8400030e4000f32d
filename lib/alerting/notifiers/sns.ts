/**
 * SNS: PublishBatch in tens, with per-entry failures, subjects and routable message attributes
 * (`dedupKey` among them). Give it a client with the SDK's retries off (`maxAttempts: 1`): a publish
 * that timed out after SNS accepted it would otherwise go out twice in one run; the outbox retries.
 */
import type { MessageAttributeValue, PublishBatchCommand } from "@aws-sdk/client-sns";
import { describeError, isAbort } from "../../errors.js";
import { snsRefusedForGood } from "../../retry.js";
import type { Notification } from "../message.js";
import type { Delivery, Notifier, SendOptions } from "./notifier.js";

export interface SnsLike {
  send(
    command: PublishBatchCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{
    Successful?: { Id?: string }[];
    Failed?: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
  }>;
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

  async send(notifications: readonly Notification[], options: SendOptions = {}): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (let start = 0; start < notifications.length; start += BATCH) {
      const batch = notifications.slice(start, start + BATCH);
      deliveries.push(...(await this.publish(batch, options.signal)));
    }
    return deliveries;
  }

  private async publish(
    batch: readonly Notification[],
    signal: AbortSignal | undefined,
  ): Promise<Delivery[]> {
    if (signal?.aborted)
      return batch.map(() => ({ ok: false, error: "not sent: the run's deadline passed" }));
    try {
      const { PublishBatchCommand } = await import("@aws-sdk/client-sns");
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
        signal ? { abortSignal: signal } : {},
      );
      const failed = new Map((response.Failed ?? []).map((f) => [f.Id, f]));
      const succeeded = new Set((response.Successful ?? []).map((s) => s.Id));
      return batch.map((_, index): Delivery => {
        const id = String(index);
        if (succeeded.has(id)) return { ok: true };
        const failure = failed.get(id);
        if (!failure) return { ok: false, error: "not in SNS's answer" };
        return {
          ok: false,
          error: `${failure.Code ?? "Failed"}: ${failure.Message ?? "no message"}`,
          ...(failure.SenderFault ? { permanent: true } : {}),
        };
      });
    } catch (error) {
      const text = isAbort(error)
        ? "no answer from SNS before the run's deadline (it may have been accepted: same dedup key if sent again)"
        : describeError(error);
      const permanent = snsRefusedForGood(error as Error);
      return batch.map(() => ({ ok: false, error: text, ...(permanent ? { permanent: true } : {}) }));
    }
  }
}
