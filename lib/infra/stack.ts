import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { acknowledgeFindings } from "./nag.js";
import { Watchpost, type WatchpostProps } from "./watchpost.js";

export interface WatchpostStackProps extends StackProps, WatchpostProps {}

/** A stack holding one Watchpost, with its cdk-nag acknowledgements. */
export class WatchpostStack extends Stack {
  readonly watchpost: Watchpost;

  constructor(scope: Construct, id: string, props: WatchpostStackProps) {
    super(scope, id, props);
    this.watchpost = new Watchpost(this, "Monitor", props);
    acknowledgeFindings(this.watchpost);
    // What a team needs after `cdk deploy`: where to subscribe, where to look, where state lives.
    new CfnOutput(this, "TopicArn", {
      value: this.watchpost.topic.topicArn,
      description: "Notifications (and the monitor's own alarms): subscribe here",
    });
    new CfnOutput(this, "DashboardUrl", {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.watchpost.dashboard.dashboardName}`,
      description: "The Watchpost dashboard",
    });
    new CfnOutput(this, "StateTable", {
      value: this.watchpost.table.tableName,
      description: "Alert state (one item per check)",
    });
    const heartbeats = this.watchpost.heartbeats;
    if (heartbeats) {
      new CfnOutput(this, "PingUrl", {
        value: heartbeats.url,
        description: "Heartbeat pings: POST ${PingUrl}/ping/NAME with Authorization: Bearer TOKEN",
      });
      new CfnOutput(this, "HeartbeatKeySecret", {
        value: heartbeats.key.secretArn,
        description: "The key ping tokens derive from: watchpost token NAME --key-file - reads it",
      });
    }
    const page = this.watchpost.statusPage;
    if (page) {
      new CfnOutput(this, "StatusPageBucket", {
        value: page.bucket.bucketName,
        description:
          "The status page (index.html, status.json), rewritten after each run of the shortest interval",
      });
      if (page.distribution)
        new CfnOutput(this, "StatusPageUrl", {
          value: `https://${page.distribution.distributionDomainName}/`,
          description: "The status page, public through CloudFront",
        });
    }
    const probe = this.watchpost.functions[0];
    if (probe)
      new CfnOutput(this, "ProbeFunction", {
        value: probe.functionName,
        description: 'Invoke with {"notifyTest": true} to send a test notification',
      });
  }
}
