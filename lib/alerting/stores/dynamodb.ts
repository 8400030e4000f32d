/**
 * Alert state in one DynamoDB table, keyed by check name. Writes are conditional on a version
 * attribute; `expiresAt` (the table's TTL attribute) lets state of removed checks age out.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "../../aws/batch-get.js";
import { putIfVersion } from "../../aws/versioned-item.js";
import { withTimeout } from "../../deadline.js";
import type { AlertState } from "../state-machine.js";
import type { StateStore, StoreOptions } from "./store.js";

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
    const items = await batchGetItems(
      this.options.client,
      this.options.tableName,
      checks.map((check) => ({ check: { S: check } })),
      { consistentRead: true, callOptions: () => this.callOptions(options) },
    );
    const out = new Map<string, AlertState>();
    for (const item of items) {
      const state = JSON.parse(item.state?.S ?? "null") as AlertState | null;
      if (state) out.set(state.check, state);
    }
    return out;
  }

  async put(state: AlertState, expectedVersion: number, options: StoreOptions = {}): Promise<boolean> {
    const expiresAt = Math.floor((Date.now() + (this.options.retainMs ?? 30 * 86_400_000)) / 1000);
    return putIfVersion(
      this.options.client,
      this.options.tableName,
      {
        check: { S: state.check },
        version: { N: String(state.version) },
        state: { S: JSON.stringify(state) },
        expiresAt: { N: String(expiresAt) },
      },
      expectedVersion,
      () => this.callOptions(options),
    );
  }
}
