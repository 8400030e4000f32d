/**
 * Every cdk-nag (AwsSolutions) finding Watchpost accepts, each with its reason, in one place.
 * Anything not acknowledged here fails the synth.
 */
import { type CfnElement, Stack, Token, Validations } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { checkPermissions } from "../deploy/compile.js";
import type { Watchpost } from "./watchpost.js";

/**
 * How cdk-nag writes a finding's resource: the pseudo parameters as `<AWS::Region>`, or the stack's
 * own region and account where it names them (a stack per location or region). The partition is a
 * literal too where the app's feature flags (`enablePartitionLiterals`) make it one.
 */
function nagScope(stack: Stack) {
  const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? pseudo : value);
  return {
    partition: literal(stack.partition, "<AWS::Partition>"),
    region: literal(stack.region, "<AWS::Region>"),
    account: literal(stack.account, "<AWS::AccountId>"),
  };
}

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
  for (const permission of checkPermissions(watchpost.checks, nagScope(Stack.of(watchpost)))) {
    if (!permission.reason) continue;
    for (const resource of permission.resources.filter((r) => r.includes("*"))) {
      if (resource === "*") everything.push(`${permission.actions.join(", ")}: ${permission.reason}`);
      else
        perResource.set(resource, `${permission.actions.join(", ")} for backup checks: ${permission.reason}`);
    }
  }

  const heartbeats = watchpost.heartbeats;
  if (heartbeats) {
    for (const route of heartbeats.api.node
      .findAll()
      .filter((c) => c.node.id === "Resource" && c.node.scope?.node.id.includes("--ping--")))
      Validations.of(route).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          "Each ping carries its check's bearer token, which the ping function verifies (compared in constant time) before anything is recorded; an API Gateway authorizer would be a second function per request for the same check.",
      });
    Validations.of(heartbeats.api).acknowledge({
      id: "AwsSolutions-APIG1",
      reason:
        "The ping function logs every request it answers (path, method, status, never a header); throttled requests are counted in the API's own metrics.",
    });
    Validations.of(heartbeats.key).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Every ping token derives from this key: rotating it changes every job's token at once, so a team rotates it deliberately (README, Heartbeat checks).",
    });
  }

  const page = watchpost.statusPage;
  if (page) {
    Validations.of(page.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "The status page bucket holds two generated files, rewritten by the probe function only; CloudFront (when public) is the only reader.",
    });
    if (page.distribution) {
      const ack = (id: string, reason: string) =>
        Validations.of(page.distribution as Construct).acknowledge({ id, reason });
      ack("AwsSolutions-CFR1", "A status page is for anyone, anywhere: no geographic restriction.");
      ack(
        "AwsSolutions-CFR2",
        "Two static files with GET and HEAD only; a team that wants WAF adds it to the distribution.",
      );
      ack(
        "AwsSolutions-CFR3",
        "Access logs of a public status page are not kept by default; the distribution can be given a log bucket.",
      );
      ack(
        "AwsSolutions-CFR4",
        "The default CloudFront certificate (no custom domain) cannot pin TLS 1.2; give the distribution a domain and certificate for that.",
      );
    }
  }

  for (const fn of watchpost.functions) {
    // cdk-nag takes "latest" from the app's own aws-cdk-lib and feature flags, so an app without
    // them (an ES module app with a bare cdk.json) is told Node 24 is not the newest runtime.
    Validations.of(fn).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "The functions run on nodejs24.x, the runtime their bundles are built for and tested on (lib/deploy/bundle.ts targets node24); a newer runtime comes with a Watchpost release that targets it.",
    });
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
