/**
 * Run records in the state table, one item per slow shard (`#run/<shard>`: check names cannot hold
 * `#`), the results gzipped JSON. A shard of 200 checks with certificate chains is some 400 KB of
 * JSON and some 40 KB gzipped, inside DynamoDB's 400 KB item limit; a larger one is refused with
 * the figure, and its sink stage says so.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "../aws/batch-get.js";
import { withTimeout } from "../deadline.js";
import type { RunRecord, RunRecords } from "./freshness.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** DynamoDB's item limit, less room for the other attributes. */
const MAX_RESULTS_BYTES = 390_000;
const KEY_PREFIX = "#run/";

export interface DynamoDbRunRecordsOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Longest wait for one DynamoDB answer. Default 5s. */
  requestTimeoutMs?: number;
}

export class DynamoDbRunRecords implements RunRecords {
  readonly name: string;

  constructor(private readonly options: DynamoDbRunRecordsOptions) {
    this.name = `dynamodb ${options.tableName}`;
  }

  async put(record: RunRecord, signal?: AbortSignal): Promise<void> {
    const results = await gzipAsync(JSON.stringify(record.results));
    if (results.length > MAX_RESULTS_BYTES)
      throw new Error(
        `the results of shard ${record.shard} are ${results.length} bytes gzipped, more than a DynamoDB item holds; make shards smaller (maxChecksPerShard)`,
      );
    // Kept for two intervals: a record older than that is never re-sent, and then it ages out.
    const expiresAt = Math.floor((record.at + 2 * record.intervalMs + 86_400_000) / 1000);
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          check: { S: `${KEY_PREFIX}${record.location}/${record.shard}` },
          at: { N: String(record.at) },
          intervalMs: { N: String(record.intervalMs) },
          results: { B: results },
          expiresAt: { N: String(expiresAt) },
        },
      }),
      { abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, signal) },
    );
  }

  getMany(location: string, shards: readonly string[], signal?: AbortSignal): Promise<RunRecord[]> {
    return this.read(
      shards.map((shard) => ({ location, shard })),
      signal,
    );
  }

  getAt(locations: readonly string[], shard: string, signal?: AbortSignal): Promise<RunRecord[]> {
    return this.read(
      locations.map((location) => ({ location, shard })),
      signal,
    );
  }

  private async read(
    keys: { location: string; shard: string }[],
    signal?: AbortSignal,
  ): Promise<RunRecord[]> {
    const items = await batchGetItems(
      this.options.client,
      this.options.tableName,
      keys.map(({ location, shard }) => ({ check: { S: `${KEY_PREFIX}${location}/${shard}` } })),
      { callOptions: () => ({ abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, signal) }) },
    );
    const out: RunRecord[] = [];
    for (const item of items) {
      const key = item.check?.S?.slice(KEY_PREFIX.length) ?? "";
      const slash = key.indexOf("/");
      if (slash <= 0 || !item.results?.B) continue;
      out.push({
        location: key.slice(0, slash),
        shard: key.slice(slash + 1),
        at: Number(item.at?.N),
        intervalMs: Number(item.intervalMs?.N),
        results: JSON.parse((await gunzipAsync(item.results.B)).toString("utf8")) as RunRecord["results"],
      });
    }
    return out;
  }
}
