/** The check files as a deployment takes them: every problem `watchpost validate --deploy` reports refuses the synth. */
import path from "node:path";
import { deployProblems } from "../alerting/channels/config.js";
import type { ChannelSpec } from "../alerting/notifiers/channel.js";
import { formatDiagnostic } from "../checks/diagnostics.js";
import { type CheckSpec, loadChecksSync, type SloGroup } from "../checks/load.js";
import { checkDeployProblems } from "../deploy/compile.js";
import { refuseCheckProblems, WatchpostConfigError } from "./errors.js";

export function deployableChecks(
  checksDir: string,
  channels: ChannelSpec[],
  environment: readonly string[] = [],
): { checks: CheckSpec[]; sloGroups: SloGroup[] } {
  const loaded = loadChecksSync(path.resolve(checksDir));
  refuseCheckProblems({
    checks: [...loaded.diagnostics, ...checkDeployProblems(loaded.checks, environment)].map(formatDiagnostic),
    channels: deployProblems(channels, "channels"),
  });
  return { checks: loaded.checks, sloGroups: loaded.sloGroups ?? [] };
}

/** The team's variables for the deployed functions, refused where they are Lambda's own. */
export function functionEnvironment(given: Record<string, string> | undefined): Record<string, string> {
  const reserved = Object.keys(given ?? {}).filter((name) => /^(AWS_|LAMBDA_|_)/.test(name) || name === "TZ");
  if (reserved.length > 0)
    throw new WatchpostConfigError(
      `environment: expected names Lambda leaves to the function, found ${reserved.join(", ")} (reserved by Lambda)`,
    );
  return { ...given };
}
