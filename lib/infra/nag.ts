/**
 * Every cdk-nag (AwsSolutions) finding Watchpost accepts, each with its reason, in one place.
 * Anything not acknowledged here fails the synth.
 */
import { type CfnElement, Stack, Validations } from "aws-cdk-lib";
import { checkPermissions } from "../deploy/compile.js";
import type { Watchpost } from "./watchpost.js";

/** How cdk-nag writes the pseudo parameters in a finding's resource. */
const NAG_SCOPE = { partition: "<AWS::Partition>", region: "<AWS::Region>", account: "<AWS::AccountId>" };

export function acknowledgeFindings(watchpost: Watchpost): void {
  Validations.of(watchpost.deadLetterQueue).acknowledge({
    id: "AwsSolutions-SQS3",
    reason:
      "This queue is the dead-letter queue: of every schedule, and the probe functions' on-failure destination. It needs none of its own.",
  });

  const keyGrant =
    "CDK's grant for sending to the dead-letter queue, which Watchpost's own key encrypts; limited to that key";
  const everything = [
    "cloudwatch:PutMetricData supports no resource-level permissions; a cloudwatch:namespace condition limits it to the Watchpost namespace",
  ];
  const perResource = new Map<string, string>();
  for (const permission of checkPermissions(watchpost.checks, NAG_SCOPE)) {
    if (!permission.reason) continue;
    for (const resource of permission.resources.filter((r) => r.includes("*"))) {
      if (resource === "*") everything.push(`${permission.actions.join(", ")}: ${permission.reason}`);
      else
        perResource.set(resource, `${permission.actions.join(", ")} for backup checks: ${permission.reason}`);
    }
  }

  for (const fn of watchpost.functions) {
    const policy = fn.role?.node.tryFindChild("DefaultPolicy");
    if (policy) {
      const acknowledge = (id: string, reason: string) =>
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${id}]`, reason });
      acknowledge("Action::kms:GenerateDataKey*", keyGrant);
      acknowledge("Action::kms:ReEncrypt*", keyGrant);
      acknowledge("Resource::*", everything.join("; "));
      for (const [resource, reason] of perResource) acknowledge(`Resource::${resource}`, reason);
    }
    if (fn.isBoundToVpc) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
        reason:
          "AWSLambdaVPCAccessExecutionRole lets the private probe function manage its network interfaces in the VPC.",
      });
    }
    const stack = Stack.of(fn);
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        "EventBridge Scheduler's role may invoke the probe function and its versions: CDK's LambdaInvoke grant.",
    });
  }
}
