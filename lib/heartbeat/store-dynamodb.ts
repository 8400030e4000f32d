/**
 * Heartbeat records in the state table, one item per check (`#hb/<check>`: check names cannot hold
 * `#`), the record as JSON with a version. Each change is a read and a write conditional on the
 * version read, tried again when another ping changed the item in between, so two pings arriving
 * together are both kept.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { updateVersioned } from "../aws/versioned-item.js";
import { withTimeout } from "../deadline.js";
import { applyPing, emptyRecord, type HeartbeatRecord, type Ping } from "./record.js";
import type { HeartbeatStore } from "./store.js";

export const HEARTBEAT_KEY_PREFIX = "#hb/";
/** A record outlives its check's last ping or evaluation by this long (the table's TTL). */
const RETAIN_MS = 400 * 86_400_000;

export interface DynamoDbHeartbeatsOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Longest wait for one DynamoDB answer. Default 5s. */
  requestTimeoutMs?: number;
}

export class DynamoDbHeartbeats implements HeartbeatStore {
  readonly name: string;

  constructor(private readonly options: DynamoDbHeartbeatsOptions) {
    this.name = `dynamodb ${options.tableName}`;
  }

  async get(check: string, now: number, signal?: AbortSignal): Promise<HeartbeatRecord> {
    return this.change(check, (current) => current ?? emptyRecord(now), signal);
  }

  record(check: string, ping: Ping, signal?: AbortSignal): Promise<HeartbeatRecord> {
    return this.change(check, (current) => applyPing(current, ping), signal);
  }

  /** The record after `update`, written only when it changed. */
  private change(
    check: string,
    update: (record: HeartbeatRecord | undefined) => HeartbeatRecord,
    signal?: AbortSignal,
  ): Promise<HeartbeatRecord> {
    return updateVersioned(
      this.options.client,
      this.options.tableName,
      `${HEARTBEAT_KEY_PREFIX}${check}`,
      () => ({ abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, signal) }),
      async (item) => {
        const record = item?.heartbeat?.S ? (JSON.parse(item.heartbeat.S) as HeartbeatRecord) : undefined;
        const next = update(record);
        if (next === record) return { value: next };
        return {
          value: next,
          attributes: {
            heartbeat: { S: JSON.stringify(next) },
            expiresAt: { N: String(Math.floor((Date.now() + RETAIN_MS) / 1000)) },
          },
        };
      },
    );
  }
}
