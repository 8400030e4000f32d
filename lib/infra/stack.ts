import { Stack, type StackProps } from "aws-cdk-lib";
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
  }
}
