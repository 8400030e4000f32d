/**
 * Items of the state table written conditionally on a `version` attribute, so no writer loses
 * another's change: one conditional put, and a read-change-write that tries again when another
 * writer came first. The alert state, heartbeat pings and history all keep their items this way.
 */
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";

type Client = Pick<DynamoDBClient, "send">;
type Item = Record<string, AttributeValue>;
type CallOptions = () => { abortSignal: AbortSignal };

/** Puts `item` if the stored one is still at `expectedVersion` (0: there is none); false if not. */
export async function putIfVersion(
  client: Client,
  tableName: string,
  item: Item,
  expectedVersion: number,
  callOptions: CallOptions,
): Promise<boolean> {
  const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: expectedVersion === 0 ? "attribute_not_exists(#check)" : "#version = :expected",
        ExpressionAttributeNames: expectedVersion === 0 ? { "#check": "check" } : { "#version": "version" },
        ...(expectedVersion === 0
          ? {}
          : { ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } } }),
      }),
      callOptions(),
    );
    return true;
  } catch (error) {
    // By name: the SDK module (and so its class) may be another copy than the client's.
    if ((error as Error).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}

/** Conditional writes tried before giving up (each loses only to another writer). */
const ATTEMPTS = 5;

/**
 * Reads the item under `key` consistently, lets `update` decide its new attributes (none: nothing
 * to write) and writes them at the next version; read and decided again when another writer came
 * first. Resolves to what `update` returned with the attributes written.
 */
export async function updateVersioned<T>(
  client: Client,
  tableName: string,
  key: string,
  callOptions: CallOptions,
  update: (item: Item | undefined) => Promise<{ attributes?: Item; value: T }>,
): Promise<T> {
  const { GetItemCommand } = await import("@aws-sdk/client-dynamodb");
  for (let attempt = 1; ; attempt++) {
    const { Item: current } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { check: { S: key } }, ConsistentRead: true }),
      callOptions(),
    );
    const version = Number(current?.version?.N ?? 0);
    const { attributes, value } = await update(current);
    if (!attributes) return value;
    const item = { ...attributes, check: { S: key }, version: { N: String(version + 1) } };
    if (await putIfVersion(client, tableName, item, version, callOptions)) return value;
    if (attempt >= ATTEMPTS) throw new Error(`${key} changed under ${ATTEMPTS} writes in a row; try again`);
  }
}
