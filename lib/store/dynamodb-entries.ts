/**
 * Entries as items of the state table, keyed by `check` (the entry's key after a prefix that keeps
 * kinds apart: `#hb/`, `#run/` …) with a `version` attribute that conditional writes compare. There
 * is no lock: a change is decided from the item read and written on condition that nobody wrote in
 * between, else read and decided again (lib/store/entries.ts).
 */
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "../aws/batch-get.js";
import { withTimeout } from "../deadline.js";
import { type CallOptions, ConditionalEntries, type Versioned } from "./entries.js";

export type Item = Record<string, AttributeValue>;

/** How a kind's values are kept in an item: the attributes beside the key and the version. */
export interface ItemCodec<T> {
  /** The attributes that hold `value` (with `expiresAt`, the table's TTL, when it ages out). */
  toItem(value: T, key: string): Item | Promise<Item>;
  /** The value an item holds (none: the item holds no such entry): where this kind is read. */
  fromItem(item: Item, key: string): T | undefined | Promise<T | undefined>;
}

export interface DynamoDbEntriesOptions<T> {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Put before every key: what tells this kind's items from the others' in the one table. */
  prefix?: string;
  codec: ItemCodec<T>;
  /** getMany reads consistently (alert state, which a run decides from), not at half the cost. */
  consistentReads?: boolean;
  /** Longest wait for one DynamoDB answer. Default 5s (the run's signal may cut it sooner). */
  requestTimeoutMs?: number;
}

export class DynamoDbEntries<T> extends ConditionalEntries<T> {
  readonly name: string;
  private readonly prefix: string;

  constructor(private readonly options: DynamoDbEntriesOptions<T>) {
    super();
    this.name = `dynamodb ${options.tableName}`;
    this.prefix = options.prefix ?? "";
  }

  private call(options: CallOptions): { abortSignal: AbortSignal } {
    return { abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, options.signal) };
  }

  private async versioned(item: Item, key: string): Promise<Versioned<T> | undefined> {
    const value = await this.options.codec.fromItem(item, key);
    return value === undefined ? undefined : { value, version: Number(item.version?.N ?? 0) };
  }

  async get(key: string, options: CallOptions = {}): Promise<Versioned<T> | undefined> {
    const { GetItemCommand } = await import("@aws-sdk/client-dynamodb");
    const { Item: item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { check: { S: `${this.prefix}${key}` } },
        ConsistentRead: true,
      }),
      this.call(options),
    );
    return item && this.versioned(item, key);
  }

  async getMany(keys: readonly string[], options: CallOptions = {}): Promise<Map<string, Versioned<T>>> {
    const items = await batchGetItems(
      this.options.client,
      this.options.tableName,
      keys.map((key) => ({ check: { S: `${this.prefix}${key}` } })),
      { consistentRead: this.options.consistentReads ?? false, callOptions: () => this.call(options) },
    );
    const out = new Map<string, Versioned<T>>();
    for (const item of items) {
      const key = (item.check?.S ?? "").slice(this.prefix.length);
      const entry = await this.versioned(item, key);
      if (entry) out.set(key, entry);
    }
    return out;
  }

  /** Written whatever is there, with no version: for entries only ever replaced whole. */
  async put(key: string, value: T, options: CallOptions = {}): Promise<void> {
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: { ...(await this.options.codec.toItem(value, key)), check: { S: `${this.prefix}${key}` } },
      }),
      this.call(options),
    );
  }

  async putIf(
    key: string,
    value: T,
    version: number,
    expected: number,
    options: CallOptions = {},
  ): Promise<boolean> {
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    const item: Item = {
      ...(await this.options.codec.toItem(value, key)),
      check: { S: `${this.prefix}${key}` },
      version: { N: String(version) },
    };
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: item,
          ...(expected === 0
            ? {
                ConditionExpression: "attribute_not_exists(#check)",
                ExpressionAttributeNames: { "#check": "check" },
              }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": { N: String(expected) } },
              }),
        }),
        this.call(options),
      );
      return true;
    } catch (error) {
      // By name: the SDK module (and so its class) may be another copy than the client's.
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}

/** The `expiresAt` attribute (the table's TTL, in epoch seconds) of an item that ages out at `atMs`. */
export function expiresAt(atMs: number): Item {
  return { expiresAt: { N: String(Math.floor(atMs / 1000)) } };
}
