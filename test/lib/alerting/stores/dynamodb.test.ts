/** The DynamoDB store against dynalite (a DynamoDB implementation) through the real AWS SDK. */
import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alerter } from "../../../../lib/alerting/alerter.js";
import type { AlertState } from "../../../../lib/alerting/state-machine.js";
import { DynamoDbStore } from "../../../../lib/alerting/stores/dynamodb.js";
import { RecordingNotifier, resultFor } from "../../../support/alerting.js";
import { check } from "../../../support/checks.js";
import { type LocalDynamoDb, localDynamoDb } from "../../../support/dynamodb.js";

let local: LocalDynamoDb;
let client: DynamoDBClient;
const freshTable = () => local.freshTable();

beforeAll(async () => {
  local = await localDynamoDb();
  client = local.client;
});

afterAll(() => local?.close());

const state = (check: string, version: number): AlertState => ({
  check,
  version,
  failures: version,
  successes: 0,
  lastStatus: "down",
  lastReason: "status 503",
  lastRunAt: "2026-11-22T00:00:00.000Z",
  outbox: [],
});

describe("DynamoDB state store", () => {
  it("writes conditionally on the version and reads back, with a TTL attribute", async () => {
    const tableName = await freshTable();
    const store = new DynamoDbStore({ client, tableName, retainMs: 86_400_000 });
    expect(await store.put(state("api", 1), 0)).toBe(true);
    expect(await store.put(state("api", 1), 0)).toBe(false);
    expect(await store.put(state("api", 2), 1)).toBe(true);
    expect(await store.put(state("api", 3), 1)).toBe(false);
    const read = await store.getMany(["api", "missing"]);
    expect([...read.keys()]).toEqual(["api"]);
    expect(read.get("api")).toEqual(state("api", 2));
    const item = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { check: { S: "api" } } }),
    );
    const expiresAt = Number(item.Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_000);
    expect(expiresAt).toBeLessThan(Date.now() / 1000 + 86_500);
  });

  it("resolves a firing check removed from the configuration, finding it by the open checks", async () => {
    const tableName = await freshTable();
    const store = new DynamoDbStore({ client, tableName });
    const notifier = new RecordingNotifier();
    const alerter = new Alerter({ store, notifier, location: "eu-west-1" });
    const spec = (name: string) => check({ name, alert: { failAfter: 1 }, tcp: { host: "a", port: 1 } });
    const now = Date.parse("2026-12-06T00:00:00Z");
    await alerter.process([resultFor("api", "down")], [spec("api")], {
      now: new Date(now),
      configured: new Set(["api", "web"]),
    });
    expect(await store.openChecks()).toEqual(["api"]);
    for (const minute of [1, 2])
      await alerter.process([resultFor("web", "up")], [spec("web")], {
        now: new Date(now + minute * 60_000),
        configured: new Set(["web"]),
      });
    expect(notifier.log()).toEqual(["FIRING api", "RESOLVED api"]);
    expect(notifier.delivered[1]?.transitions[0]?.reason).toBe("check removed from the configuration");
    expect(await store.openChecks()).toEqual([]);
    // The open checks are an item of their own, never read as a check's state.
    expect((await store.getMany(["#open"])).size).toBe(0);
  });

  it("refuses a malformed item as the run's alerting failure and never writes over it", async () => {
    const tableName = await freshTable();
    const store = new DynamoDbStore({ client, tableName });
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    const item = {
      check: { S: "api" },
      version: { N: "3" },
      state: { S: '{"check":"api","version":"seven"}' },
    };
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    const notifier = new RecordingNotifier();
    const alerter = new Alerter({ store, notifier, location: "eu-west-1" });
    const spec = check({ name: "api", alert: { failAfter: 1 }, tcp: { host: "a", port: 1 } });
    const report = await alerter.process([resultFor("api", "down")], [spec]);
    expect(report.errors[0]).toMatch(
      /^alert state could not be read from dynamodb .*: the alert state of "api" is malformed: version: expected a whole number, found "seven"$/,
    );
    expect(notifier.log()).toEqual([]);
    const after = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { check: { S: "api" } } }),
    );
    expect(after.Item).toEqual(item);
  });

  it("reads more keys than one BatchGetItem takes", async () => {
    const tableName = await freshTable();
    const store = new DynamoDbStore({ client, tableName });
    const names = Array.from({ length: 130 }, (_, i) => `check-${i}`);
    for (const name of names) await store.put(state(name, 1), 0);
    expect((await store.getMany(names)).size).toBe(130);
  });

  it("never fires twice when two invocations update the same check at once", async () => {
    const spec = check({ name: "payments-api", tcp: { host: "a", port: 1 } });
    let conflicts = 0;
    for (let round = 0; round < 10; round++) {
      const tableName = await freshTable();
      const notifier = new RecordingNotifier();
      const make = (owner: string) => {
        const store = new DynamoDbStore({ client, tableName });
        const put = store.put.bind(store);
        store.put = async (s, expected) => {
          const written = await put(s, expected);
          if (!written) conflicts++;
          return written;
        };
        return new Alerter({ store, notifier, location: "eu-west-1", owner });
      };
      const first = make("first");
      const second = make("second");
      const now = new Date(Date.UTC(2026, 10, 22, 0, round));
      await first.process([resultFor("payments-api", "down")], [spec], { now });
      const reports = await Promise.all([
        first.process([resultFor("payments-api", "down")], [spec], { now }),
        second.process([resultFor("payments-api", "down")], [spec], { now }),
      ]);
      expect(notifier.log()).toEqual(["FIRING payments-api"]);
      expect(reports.reduce((n, r) => n + r.decided, 0)).toBe(1);
    }
    // The race was real: writers did collide, and the loser re-read instead of firing again.
    expect(conflicts).toBeGreaterThan(0);
  });
});
