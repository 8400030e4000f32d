/**
 * Heartbeat records in the state table, one item per check (`#hb/<check>`: check names cannot hold
 * `#`), the record as JSON with a version. Each change is a read and a write conditional on the
 * version read, tried again when another ping changed the item in between, so two pings arriving
 * together are both kept.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { withTimeout } from "../deadline.js";
import { applyPing, emptyRecord, type HeartbeatRecord, type Ping } from "./record.js";
import type { HeartbeatStore } from "./store.js";

export const HEARTBEAT_KEY_PREFIX = "#hb/";
/** Conditional writes tried before giving up on a ping (each loses only to another ping). */
const ATTEMPTS = 5;
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

  private call(signal?: AbortSignal) {
    return { abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, signal) };
  }

  private async read(
    check: string,
    signal?: AbortSignal,
  ): Promise<{ record?: HeartbeatRecord; version: number }> {
    const { GetItemCommand } = await import("@aws-sdk/client-dynamodb");
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { check: { S: `${HEARTBEAT_KEY_PREFIX}${check}` } },
        ConsistentRead: true,
      }),
      this.call(signal),
    );
    if (!Item?.heartbeat?.S) return { version: 0 };
    return { record: JSON.parse(Item.heartbeat.S) as HeartbeatRecord, version: Number(Item.version?.N ?? 0) };
  }

  /** Writes `record` if the item is still at `version`; false when another writer came first. */
  private async write(check: string, record: HeartbeatRecord, version: number, signal?: AbortSignal) {
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            check: { S: `${HEARTBEAT_KEY_PREFIX}${check}` },
            heartbeat: { S: JSON.stringify(record) },
            version: { N: String(version + 1) },
            expiresAt: { N: String(Math.floor((Date.now() + RETAIN_MS) / 1000)) },
          },
          ConditionExpression: version === 0 ? "attribute_not_exists(#v)" : "#v = :v",
          ExpressionAttributeNames: { "#v": "version" },
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ":v": { N: String(version) } } }),
        }),
        this.call(signal),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async get(check: string, now: number, signal?: AbortSignal): Promise<HeartbeatRecord> {
    const { record } = await this.read(check, signal);
    if (record) return record;
    return this.change(check, (current) => current ?? emptyRecord(now), signal);
  }

  record(check: string, ping: Ping, signal?: AbortSignal): Promise<HeartbeatRecord> {
    return this.change(check, (current) => applyPing(current, ping), signal);
  }

  private async change(
    check: string,
    update: (record: HeartbeatRecord | undefined) => HeartbeatRecord,
    signal?: AbortSignal,
  ): Promise<HeartbeatRecord> {
    for (let attempt = 1; ; attempt++) {
      const { record, version } = await this.read(check, signal);
      const next = update(record);
      if (next === record) return next;
      if (await this.write(check, next, version, signal)) return next;
      if (attempt >= ATTEMPTS)
        throw new Error(`the heartbeat of ${check} changed under ${ATTEMPTS} writes in a row; try again`);
    }
  }
}
