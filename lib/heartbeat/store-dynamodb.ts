/**
 * Heartbeat records in the state table, one item per check (`#hb/<check>`: check names cannot hold
 * `#`), the record as JSON with a version. Each change is a read and a write conditional on the
 * version read, tried again when another ping changed the item in between, so two pings arriving
 * together are both kept.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbEntries, expiresAt } from "../store/dynamodb-entries.js";
import type { HeartbeatRecord } from "./record.js";
import { Heartbeats } from "./store.js";

export const HEARTBEAT_KEY_PREFIX = "#hb/";
/** A record outlives its check's last ping or evaluation by this long (the table's TTL). */
const RETAIN_MS = 400 * 86_400_000;

export interface DynamoDbHeartbeatsOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Longest wait for one DynamoDB answer. Default 5s. */
  requestTimeoutMs?: number;
}

export class DynamoDbHeartbeats extends Heartbeats {
  constructor(options: DynamoDbHeartbeatsOptions) {
    super(
      new DynamoDbEntries<HeartbeatRecord>({
        client: options.client,
        tableName: options.tableName,
        requestTimeoutMs: options.requestTimeoutMs,
        prefix: HEARTBEAT_KEY_PREFIX,
        codec: {
          toItem: (record) => ({
            heartbeat: { S: JSON.stringify(record) },
            ...expiresAt(Date.now() + RETAIN_MS),
          }),
          fromItem: (item) =>
            item.heartbeat?.S ? (JSON.parse(item.heartbeat.S) as HeartbeatRecord) : undefined,
        },
      }),
    );
  }
}
