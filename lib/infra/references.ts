/** Grants the reads of `${secret:…}` and `${ssm:…}` references, each to exactly what it names. */
import { ArnFormat, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";

export function grantReferences(role: iam.IRole, refs: { secrets: string[]; parameters: string[] }): void {
  const stack = Stack.of(role);
  if (refs.secrets.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["secretsmanager:GetSecretValue"],
        resources: refs.secrets.map((id) =>
          id.startsWith("arn:")
            ? id
            : stack.formatArn({
                service: "secretsmanager",
                resource: "secret",
                resourceName: `${id}-??????`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
        ),
      }),
    );
  }
  if (refs.parameters.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: refs.parameters.map((name) =>
          stack.formatArn({ service: "ssm", resource: "parameter", resourceName: name.replace(/^\//, "") }),
        ),
      }),
    );
  }
}
