/** History in the state table (dynalite): an item of the wrong shape is refused by name, never read as history. */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDay } from "../../../lib/history/encoding.js";
import { DynamoDbHistory } from "../../../lib/history/store-dynamodb.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";

let local: LocalDynamoDb;

beforeAll(async () => {
  local = await localDynamoDb();
});

afterAll(() => local?.close());

describe("DynamoDB history", () => {
  it("refuses a malformed day, naming the item and what was wrong", async () => {
    const tableName = await local.freshTable();
    const history = new DynamoDbHistory({ client: local.client, tableName, shards: ["1m-0"] });
    const day = new Date().toISOString().slice(0, 10);
    const malformed = await encodeDay({
      checks: { api: { runs: 2, up: 2, degraded: 0, down: 0, unknown: 0, downMs: 0, latency: {} } },
      latest: { api: { status: "sideways", reason: "?", at: day } as never },
    });
    await local.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { check: { S: `#hist/1m-0/${day}` }, version: { N: "1" }, data: { B: malformed } },
      }),
    );
    await expect(history.read({ fromDay: day, toDay: day })).rejects.toThrow(
      `the history day "1m-0/${day}" is malformed: ["api"].status: expected one of up, degraded, down, unknown, skipped, found "sideways"`,
    );
  });
});
