/**
 * The stack outputs the README and `watchpost plan` name, made by the construct itself so that a
 * team's own stack has them too. Their logical IDs are fixed (`TopicArn`, not `MonitorTopicArn1A2B`):
 * scripts read them with `describe-stacks`, in whichever stack and under whichever construct ID.
 */
import { CfnOutput, Stack } from "aws-cdk-lib";
import { WatchpostConfigError } from "./errors.js";
import type { Watchpost } from "./watchpost.js";

export function stackOutputs(watchpost: Watchpost): void {
  const stack = Stack.of(watchpost);
  const output = (name: string, value: string, description: string) => {
    const taken = stack.node
      .findAll()
      .some((c) => c instanceof CfnOutput && stack.resolve(c.logicalId) === name);
    if (taken)
      throw new WatchpostConfigError(
        `${watchpost.node.path}: the stack already has an output named ${name} (another Watchpost?): give one of them outputs: false`,
      );
    new CfnOutput(watchpost, name, { value, description }).overrideLogicalId(name);
  };

  output(
    "TopicArn",
    watchpost.topic.topicArn,
    "Notifications (and the monitor's own alarms): subscribe here",
  );
  output(
    "DashboardUrl",
    `https://console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${watchpost.dashboard.dashboardName}`,
    "The Watchpost dashboard",
  );
  output("StateTable", watchpost.table.tableName, "Alert state (one item per check)");
  const heartbeats = watchpost.heartbeats;
  if (heartbeats) {
    output(
      "PingUrl",
      heartbeats.url,
      "Heartbeat pings: POST ${PingUrl}/ping/NAME with Authorization: Bearer TOKEN",
    );
    output(
      "HeartbeatKeySecret",
      heartbeats.key.secretArn,
      "The key ping tokens derive from: watchpost token NAME --key-file - reads it",
    );
  }
  const page = watchpost.statusPage;
  if (page) {
    output(
      "StatusPageBucket",
      page.bucket.bucketName,
      "The status page (index.html, status.json), rewritten after each run of the shortest interval",
    );
    if (page.distribution)
      output(
        "StatusPageUrl",
        `https://${page.distribution.distributionDomainName}/`,
        "The status page, public through CloudFront",
      );
  }
  const probe = watchpost.functions[0];
  if (probe)
    output(
      "ProbeFunction",
      probe.functionName,
      'Invoke with {"notifyTest": true} to send a test notification',
    );
}
