/**
 * What a deploy would replace, and what a destroy would leave. CloudFormation replaces a resource
 * whose logical ID, type or physical name changes: for the state table, every check's alert state and
 * history gone. Every deployment of the matrix pins each resource's logical ID, type, construct path
 * and literal names, so such a change shows here and must be made on purpose; and nothing of a
 * deployment outlives its stack under a name that would stop the next deploy of it.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synthMatrix } from "./matrix.js";

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

let templates: Map<string, Template>;

beforeAll(async () => {
  templates = (await synthMatrix(await mkdtemp(path.join(tmpdir(), "watchpost-matrix-")))) as Map<
    string,
    Template
  >;
}, 240_000);

/** The literal physical names a resource is given: `Name`, or the type's own `TableName`, `BucketName` … */
function literalNames(resource: Resource): [string, string][] {
  const own = `${resource.Type.split("::").at(-1)}Name`;
  return Object.entries(resource.Properties ?? {}).filter(
    (entry): entry is [string, string] =>
      (entry[0] === "Name" || entry[0] === own) && typeof entry[1] === "string",
  );
}

/** `LogicalId Type path`, and the physical name where the template fixes one. */
function identity([logicalId, resource]: [string, Resource]): string {
  const names = literalNames(resource).map(([key, value]) => ` ${key}=${value}`);
  return `${logicalId} ${resource.Type} ${String(resource.Metadata?.["aws:cdk:path"])}${names.join("")}`;
}

describe("the construct's templates", () => {
  it("keep every resource's logical ID, type, construct path and physical name across the matrix", () => {
    const identities = Object.fromEntries(
      [...templates].map(([name, { Resources, Outputs }]) => [
        name,
        { resources: Object.entries(Resources).map(identity), outputs: Object.keys(Outputs ?? {}) },
      ]),
    );
    expect(identities).toMatchSnapshot();
  });

  it("retain nothing when the stack is deleted or a resource replaced", () => {
    const retained = [...templates].flatMap(([name, { Resources }]) =>
      Object.entries(Resources)
        .filter(
          ([, r]) =>
            (r.DeletionPolicy ?? "Delete") !== "Delete" || (r.UpdateReplacePolicy ?? "Delete") !== "Delete",
        )
        .map(([id, r]) => `${name} ${id} ${r.Type} ${r.DeletionPolicy}/${r.UpdateReplacePolicy}`),
    );
    expect(retained).toEqual([]);
  });

  it("fix a physical name only for the state table a location's stacks share, derived from the stack", () => {
    // Names that are not unique in an account and region, so never collide: an inline policy's is its
    // role's, a stage's its API's, and API Gateway takes any number of APIs of one name.
    const scoped = new Set([
      "AWS::IAM::Policy PolicyName",
      "AWS::ApiGatewayV2::Stage StageName",
      "AWS::ApiGatewayV2::Api Name",
    ]);
    const named = [...templates].flatMap(([name, { Resources }]) =>
      Object.values(Resources).flatMap((r) =>
        literalNames(r)
          .filter(([key]) => !scoped.has(`${r.Type} ${key}`))
          .map(([key, value]) => `${name} ${r.Type} ${key}=${value}`),
      ),
    );
    expect(named).toEqual([
      "several-locations/Watchpost-eu-west-1 AWS::DynamoDB::Table TableName=Watchpost-state",
    ]);
  });

  it("empty the status page bucket before CloudFormation deletes it", () => {
    for (const [name, { Resources }] of templates) {
      const buckets = Object.entries(Resources).filter(
        ([, r]) =>
          r.Type === "AWS::S3::Bucket" &&
          String(r.Metadata?.["aws:cdk:path"]).endsWith("/StatusPage/Resource"),
      );
      const emptied = Object.values(Resources).filter((r) => r.Type === "Custom::S3AutoDeleteObjects");
      expect(
        emptied.map((r) => r.Properties?.BucketName),
        name,
      ).toEqual(buckets.map(([id]) => ({ Ref: id })));
    }
    expect(
      [...templates.keys()].filter((name) =>
        JSON.stringify(templates.get(name)).includes("S3AutoDeleteObjects"),
      ).length,
    ).toBeGreaterThan(5);
  });
});
