/** dynalite (a DynamoDB implementation) on loopback, and state tables shaped as the construct makes them. */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

export interface LocalDynamoDb {
  url: string;
  /** A client of the real SDK pointed at it. */
  client: DynamoDBClient;
  /** A new, empty state table; its name. */
  freshTable(): Promise<string>;
  close(): Promise<void>;
}

export async function localDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  let tables = 0;
  return {
    url,
    client,
    freshTable: async () => {
      const name = `watchpost-state-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: "check", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "check", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      return name;
    },
    close: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
