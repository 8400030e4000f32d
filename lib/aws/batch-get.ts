/** BatchGetItem over any number of keys: 100 per call, unprocessed keys asked again with backoff. */
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { pause } from "../deadline.js";
import { backoffDelay, UNPROCESSED_KEYS } from "../retry.js";

/** BatchGetItem's own limit. */
const BATCH = 100;

export async function batchGetItems(
  client: Pick<DynamoDBClient, "send">,
  tableName: string,
  keys: Record<string, AttributeValue>[],
  options: { consistentRead?: boolean; callOptions: () => { abortSignal: AbortSignal } },
): Promise<Record<string, AttributeValue>[]> {
  const { attempts, backoff } = UNPROCESSED_KEYS;
  const items: Record<string, AttributeValue>[] = [];
  for (let start = 0; start < keys.length; start += BATCH) {
    let pending = keys.slice(start, start + BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === attempts)
        throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${attempts} attempts`);
      if (attempt > 0) await pause(backoffDelay(attempt - 1, backoff));
      const { BatchGetItemCommand } = await import("@aws-sdk/client-dynamodb");
      const response = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: { Keys: pending, ...(options.consistentRead ? { ConsistentRead: true } : {}) },
          },
        }),
        options.callOptions(),
      );
      items.push(...(response.Responses?.[tableName] ?? []));
      pending = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}
