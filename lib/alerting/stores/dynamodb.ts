/**
 * Alert state in one DynamoDB table, keyed by check name. Writes are conditional on a version
 * attribute; `expiresAt` (the table's TTL attribute) lets state of removed checks age out.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbEntries, expiresAt } from "../../store/dynamodb-entries.js";
import type { AlertState } from "../state-machine.js";
import { alertStateShape } from "../state-shape.js";
import { AlertStates } from "./store.js";

export interface DynamoDbStoreOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** How long state outlives its check's last run. Default 30 days. */
  retainMs?: number;
  /** Longest wait for one DynamoDB answer. Default 5s (the run's signal may cut it sooner). */
  requestTimeoutMs?: number;
}

export class DynamoDbStore extends AlertStates {
  constructor(options: DynamoDbStoreOptions) {
    super(
      new DynamoDbEntries<AlertState>({
        client: options.client,
        tableName: options.tableName,
        requestTimeoutMs: options.requestTimeoutMs,
        // A run decides from what it reads: never from a read that missed the last write.
        consistentReads: true,
        codec: {
          toItem: (state) => ({
            state: { S: JSON.stringify(state) },
            ...expiresAt(Date.now() + (options.retainMs ?? 30 * 86_400_000)),
          }),
          fromItem: (item, key) => {
            const state = JSON.parse(item.state?.S ?? "null") as AlertState | null;
            const problem = state === null ? undefined : alertStateShape(state);
            // Refused, never decided from nor written over: the run names the item.
            if (problem)
              throw new Error(`the alert state of ${JSON.stringify(key)} is malformed: ${problem}`);
            return state ?? undefined;
          },
        },
      }),
      // The open checks: one item that never ages out, changed on condition of its version.
      new DynamoDbEntries<string[]>({
        client: options.client,
        tableName: options.tableName,
        requestTimeoutMs: options.requestTimeoutMs,
        codec: {
          toItem: (checks) => ({ open: { S: JSON.stringify(checks) } }),
          fromItem: (item) => (item.open?.S ? (JSON.parse(item.open.S) as string[]) : undefined),
        },
      }),
    );
  }
}
