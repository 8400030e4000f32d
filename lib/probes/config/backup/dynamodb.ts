/** The `dynamodb` source of a `backup:` block: its schema (run time: lib/probes/backup/dynamodb.ts). */
import { z } from "zod";

export const dynamodbConfig = z.strictObject({
  table: z
    .string({ error: "a DynamoDB table name" })
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, { error: "a DynamoDB table name (3 to 255 letters, digits, _ . -)" }),
});

export type DynamoDbConfig = z.output<typeof dynamodbConfig>;
