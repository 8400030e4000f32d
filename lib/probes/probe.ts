import type { z } from "zod";
import type { AwsClients } from "../aws/clients.js";
import type { Observation } from "../result.js";

export interface ProbeContext {
  /** Aborted when the check's timeout or the run's deadline passes: release sockets and stop. */
  signal: AbortSignal;
  /** Names what the probe is waiting for now; a timeout reason quotes it. */
  stage(doing: string): void;
  /** Folder of the check file, against which relative paths (`ca:`) resolve. */
  baseDir: string;
  /** For probes that read AWS APIs; injected by whoever runs the engine. */
  aws?: AwsClients;
}

/** Where ARNs point: the deployment passes its own partition, region and account (tokens). */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

/** For reading permissions outside a deployment: any region, any account. */
export const ANY_SCOPE: ArnScope = { partition: "aws", region: "*", account: "*" };

/** One IAM permission a check needs: the deployment grants exactly these. */
export interface Permission {
  actions: string[];
  resources: string[];
  /** Why the resource is `*` when it is: the action supports no resource-level permissions. */
  reason?: string;
}

/**
 * One kind of check. A probe observes and reports conditions; it never decides the status, owns no
 * timeout and writes no metrics: the engine does.
 */
export interface Probe<Schema extends z.ZodType = z.ZodType> {
  kind: string;
  /** The kind's block in a check file (`http: {...}`). */
  config: Schema;
  /** What the check targets, as written (references unresolved): the `instance` label and table column. */
  target(config: z.output<Schema>): string;
  /** The `instance` label, when it is not the target (a DNS check's: the server asked). */
  instance?(config: z.output<Schema>): string;
  run(config: z.output<Schema>, ctx: ProbeContext): Promise<Observation>;
  /** The IAM permissions a check of this kind needs, when it reads AWS APIs. */
  permissions?(config: z.output<Schema>, scope: ArnScope): Permission[];
}

export function defineProbe<Schema extends z.ZodType>(probe: Probe<Schema>): Probe<Schema> {
  return probe;
}

/**
 * The check could not be set up (a reference or a `ca:` file that cannot be read): its result is
 * `unknown` with this message as the reason, since the target was never asked.
 */
export class CheckSetupError extends Error {
  override name = "CheckSetupError";
}
