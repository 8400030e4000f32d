/**
 * Run records in the state table, one item per slow shard (`#run/<shard>`: check names cannot hold
 * `#`), the results gzipped JSON. A shard of 200 checks with certificate chains is some 400 KB of
 * JSON and some 40 KB gzipped, inside DynamoDB's 400 KB item limit; a larger one is refused with
 * the figure, and its sink stage says so.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbEntries, expiresAt } from "../store/dynamodb-entries.js";
import type { RunRecord } from "./freshness.js";
import { RunRecordStore } from "./run-records-store.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** DynamoDB's item limit, less room for the other attributes. */
const MAX_RESULTS_BYTES = 390_000;
export const RUN_RECORD_PREFIX = "#run/";

export interface DynamoDbRunRecordsOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Longest wait for one DynamoDB answer. Default 5s. */
  requestTimeoutMs?: number;
}

export class DynamoDbRunRecords extends RunRecordStore {
  constructor(options: DynamoDbRunRecordsOptions) {
    super(
      new DynamoDbEntries<RunRecord>({
        client: options.client,
        tableName: options.tableName,
        requestTimeoutMs: options.requestTimeoutMs,
        prefix: RUN_RECORD_PREFIX,
        codec: {
          toItem: async (record) => {
            const results = await gzipAsync(JSON.stringify(record.results));
            if (results.length > MAX_RESULTS_BYTES)
              throw new Error(
                `the results of shard ${record.shard} are ${results.length} bytes gzipped, more than a DynamoDB item holds; make shards smaller (maxChecksPerShard)`,
              );
            return {
              at: { N: String(record.at) },
              intervalMs: { N: String(record.intervalMs) },
              results: { B: results },
              // Kept for two intervals: a record older than that is never re-sent, and then it ages out.
              ...expiresAt(record.at + 2 * record.intervalMs + 86_400_000),
            };
          },
          fromItem: async (item, key) => {
            const slash = key.indexOf("/");
            if (slash <= 0 || !item.results?.B) return undefined;
            return {
              location: key.slice(0, slash),
              shard: key.slice(slash + 1),
              at: Number(item.at?.N),
              intervalMs: Number(item.intervalMs?.N),
              results: JSON.parse(
                (await gunzipAsync(item.results.B)).toString("utf8"),
              ) as RunRecord["results"],
            };
          },
        },
      }),
    );
  }
}
