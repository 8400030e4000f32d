/**
 * Watchpost as a library, for a team's own CDK app:
 *
 *   import { Watchpost } from "watchpost";
 *   new Watchpost(stack, "Monitor", { checksDir: "checks", channels: loadChannels("channels.yml") });
 *
 * aws-cdk-lib and constructs are peer dependencies: the app's own copies are used.
 */
export { loadChannels, parseChannels } from "./alerting/channels/config.js";
export type { ChannelKind } from "./alerting/channels/formats.js";
export type { ChannelSpec, Route } from "./alerting/notifiers/channel.js";
export { type LoadResult, loadChecks, loadChecksSync } from "./checks/load.js";
export { WatchpostStack, type WatchpostStackProps } from "./infra/stack.js";
export {
  Watchpost,
  WatchpostChecksError,
  type WatchpostPrivateNetwork,
  type WatchpostProps,
  type WatchpostRemoteWrite,
  type WatchpostSubscription,
} from "./infra/watchpost.js";
