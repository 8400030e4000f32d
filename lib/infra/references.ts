/**
 * Grants the reads of `${secret:…}` and `${ssm:…}` references, each to exactly what it names, in
 * statements of at most `RESOURCES_PER_STATEMENT` resources: CDK moves statements that outgrow a
 * role's inline policy into managed policies of 6 KB each, and cannot split one statement.
 */
import { ArnFormat, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";

export const RESOURCES_PER_STATEMENT = 40;

/** `role` may do `actions` on `resources`, in statements small enough to be spread over policies. */
function allowInChunks(role: iam.IRole, actions: string[], resources: string[]): void {
  for (let at = 0; at < resources.length; at += RESOURCES_PER_STATEMENT)
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: resources.slice(at, at + RESOURCES_PER_STATEMENT) }),
    );
}

export function grantReferences(role: iam.IRole, refs: { secrets: string[]; parameters: string[] }): void {
  const stack = Stack.of(role);
  if (refs.secrets.length > 0) {
    allowInChunks(
      role,
      ["secretsmanager:GetSecretValue"],
      refs.secrets.map((id) =>
        id.startsWith("arn:")
          ? id
          : stack.formatArn({
              service: "secretsmanager",
              resource: "secret",
              resourceName: `${id}-??????`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
      ),
    );
  }
  if (refs.parameters.length > 0) {
    allowInChunks(
      role,
      ["ssm:GetParameter"],
      refs.parameters.map((name) =>
        stack.formatArn({ service: "ssm", resource: "parameter", resourceName: name.replace(/^\//, "") }),
      ),
    );
  }
}
