/** The check files as a deployment takes them: every problem `watchpost validate --deploy` reports refuses the synth. */
import path from "node:path";
import { deployProblems } from "../alerting/channels/config.js";
import type { ChannelSpec } from "../alerting/notifiers/channel.js";
import { formatDiagnostic } from "../checks/diagnostics.js";
import { type CheckSpec, loadChecksSync, type SloGroup } from "../checks/load.js";
import { checkDeployProblems } from "../deploy/compile.js";
import { refuseCheckProblems } from "./errors.js";

export function deployableChecks(
  checksDir: string,
  channels: ChannelSpec[],
): { checks: CheckSpec[]; sloGroups: SloGroup[] } {
  const loaded = loadChecksSync(path.resolve(checksDir));
  refuseCheckProblems({
    checks: [...loaded.diagnostics, ...checkDeployProblems(loaded.checks)].map(formatDiagnostic),
    channels: deployProblems(channels, "channels"),
  });
  return { checks: loaded.checks, sloGroups: loaded.sloGroups ?? [] };
}
