import { Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { Watchpost, type WatchpostProps } from "./watchpost.js";

export interface WatchpostStackProps extends StackProps, WatchpostProps {}

/** A stack holding one Watchpost (its outputs and cdk-nag acknowledgements are the construct's own). */
export class WatchpostStack extends Stack {
  readonly watchpost: Watchpost;

  constructor(scope: Construct, id: string, props: WatchpostStackProps) {
    super(scope, id, props);
    this.watchpost = new Watchpost(this, "Monitor", props);
  }
}
