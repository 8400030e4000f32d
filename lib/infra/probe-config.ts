/**
 * The probe function's configuration (lib/deploy/function-config.ts), from the construct's props and
 * what it built: one typed object, written into one environment variable.
 */
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { FunctionConfig } from "../deploy/function-config.js";
import type { Placement } from "./placement.js";
import type { WatchpostProps } from "./props.js";
import { remoteWriteConfig } from "./remote-write.js";

export interface ProbeConfigInput {
  props: WatchpostProps;
  table: dynamodb.ITable;
  topic: sns.ITopic;
  namespace: string;
  checkMetrics: boolean;
  placed: Placement | undefined;
  /** Days of history this function keeps; undefined: none (turned off, or another region's to keep). */
  historyDays: number | undefined;
  /** The status page, when this function's runs write it. */
  statusPage: FunctionConfig["statusPage"];
  remoteWriteSecret: secretsmanager.ISecret | undefined;
}

export function probeConfig(input: ProbeConfigInput): FunctionConfig {
  const { props, placed } = input;
  return {
    stateTable: input.table.tableName,
    topicArn: input.topic.topicArn,
    namespace: input.namespace,
    groupThreshold: props.groupThreshold ?? 5,
    highResolution: props.highResolutionMetrics ?? false,
    phases: props.phaseMetrics ?? false,
    checkMetrics: input.checkMetrics,
    maxDeliveryAttempts: props.maxDeliveryAttempts ?? 10,
    // Where a channel was written is for messages at synth, not for the function.
    ...(props.channels?.length
      ? { channels: props.channels.map(({ source: _, ...channel }) => channel) }
      : {}),
    ...(placed ? { locations: { all: placed.regions, home: placed.home, stateRegion: placed.home } } : {}),
    ...(input.historyDays !== undefined ? { history: { retainDays: input.historyDays } } : {}),
    ...(input.statusPage ? { statusPage: input.statusPage } : {}),
    ...(props.remoteWrite
      ? { remoteWrite: remoteWriteConfig(props.remoteWrite, input.remoteWriteSecret) }
      : {}),
    ...(props.otlp ? { otlp: { ...props.otlp } } : {}),
  };
}
