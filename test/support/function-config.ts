import type { FunctionConfig } from "../../lib/deploy/function-config.js";

/** A probe function's configuration as the construct writes it with its defaults. */
export function functionConfig(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    stateTable: "state",
    topicArn: "arn:aws:sns:eu-west-1:123456789012:watchpost",
    namespace: "Watchpost",
    groupThreshold: 5,
    highResolution: false,
    phases: false,
    checkMetrics: true,
    maxDeliveryAttempts: 10,
    ...overrides,
  };
}
