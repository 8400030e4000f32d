/**
 * Alert state in one DynamoDB table, keyed by check name. Writes are conditional on a version
 * attribute; `expiresAt` (the table's TTL attribute) lets state of removed checks age out.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { withTimeout } from "../../deadline.js";
import type { AlertState } from "../state-machine.js";
import type { StateStore, StoreOptions } from "./store.js";

/** BatchGetItem's own limit. */
const BATCH = 100;

export interface DynamoDbStoreOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** How long state outlives its check's last run. Default 30 days. */
  retainMs?: number;
  /** Longest wait for one DynamoDB answer. Default 5s (the run's signal may cut it sooner). */
  requestTimeoutMs?: number;
}

export class DynamoDbStore implements StateStore {
  readonly name: string;

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.name = `dynamodb ${options.tableName}`;
  }

  private callOptions(options: StoreOptions): { abortSignal: AbortSignal } {
    return { abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, options.signal) };
  }

  async getMany(checks: readonly string[], options: StoreOptions = {}): Promise<Map<string, AlertState>> {
    const out = new Map<string, AlertState>();
    for (let start = 0; start < checks.length; start += BATCH) {
      let keys = checks.slice(start, start + BATCH).map((check) => ({ check: { S: check } }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`DynamoDB left ${keys.length} keys unprocessed after 5 attempts`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const response = await this.options.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.options.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
          this.callOptions(options),
        );
        for (const item of response.Responses?.[this.options.tableName] ?? []) {
          const state = JSON.parse(item.state?.S ?? "null") as AlertState | null;
          if (state) out.set(state.check, state);
        }
        keys = (response.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as typeof keys;
      }
    }
    return out;
  }

  async put(state: AlertState, expectedVersion: number, options: StoreOptions = {}): Promise<boolean> {
    const expiresAt = Math.floor((Date.now() + (this.options.retainMs ?? 30 * 86_400_000)) / 1000);
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            check: { S: state.check },
            version: { N: String(state.version) },
            state: { S: JSON.stringify(state) },
            expiresAt: { N: String(expiresAt) },
          },
          ConditionExpression:
            expectedVersion === 0 ? "attribute_not_exists(#check)" : "#version = :expected",
          ExpressionAttributeNames: expectedVersion === 0 ? { "#check": "check" } : { "#version": "version" },
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } } }),
        }),
        this.callOptions(options),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === "ConditionalCheckFailedException"
      )
        return false;
      throw error;
    }
  }
}
