/**
 * What a deploy would replace. CloudFormation replaces a resource whose logical ID, type or physical
 * name changes: for the state table, every check's alert state and history gone. Every deployment of
 * the matrix pins each resource's logical ID, type, construct path and literal names, so such a
 * change shows here and must be made on purpose.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { synthMatrix } from "./matrix.js";

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/**
 * `LogicalId Type path`, and the physical name where the template fixes one: the property that names
 * the resource itself (`Name`, or the type's own `TableName`, `BucketName` …) holding a literal.
 */
function identity([logicalId, resource]: [string, Resource]): string {
  const own = `${resource.Type.split("::").at(-1)}Name`;
  const names = Object.entries(resource.Properties ?? {})
    .filter(([key, value]) => (key === "Name" || key === own) && typeof value === "string")
    .map(([key, value]) => ` ${key}=${value as string}`);
  return `${logicalId} ${resource.Type} ${String(resource.Metadata?.["aws:cdk:path"])}${names.join("")}`;
}

describe("the construct's templates", () => {
  it("keep every resource's logical ID, type, construct path and physical name across the matrix", async () => {
    const templates = await synthMatrix(await mkdtemp(path.join(tmpdir(), "watchpost-matrix-")));
    const identities = Object.fromEntries(
      [...templates].map(([name, template]) => {
        const { Resources, Outputs } = template as {
          Resources: Record<string, Resource>;
          Outputs?: Record<string, unknown>;
        };
        return [
          name,
          { resources: Object.entries(Resources).map(identity), outputs: Object.keys(Outputs ?? {}) },
        ];
      }),
    );
    expect(identities).toMatchSnapshot();
  }, 240_000);
});
