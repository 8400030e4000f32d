import type { AwsClients } from "../aws/clients.js";
import type { Resolvers } from "../checks/references.js";
import { SaidError } from "../errors.js";
import type { HeartbeatStore } from "../heartbeat/store.js";
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
  /** The check's name (a heartbeat reads its job's pings by it). */
  check: string;
  /** Where the jobs' pings are recorded, for heartbeat checks; injected like `aws`. */
  heartbeats?: HeartbeatStore;
  /** Every value a reference in the check resolved to: a header holding one carries a secret. */
  secrets?: ReadonlySet<string>;
  /**
   * Resolves the references in `value` with the run's resolvers (and `more`, such as a flow's
   * `var`); every value resolved is kept out of the result, as the engine's own are.
   */
  resolve<T>(value: T, more?: Resolvers): Promise<T>;
  /** Keeps a value the probe learnt (a token a step extracted) out of every output. */
  conceal(value: string): void;
  /** With `trace: true`: the W3C trace headers for the next request (a new span each call). */
  traceHeaders?: () => Record<string, string>;
  /** What the probe has seen so far, asked for when it is cut: the result keeps it. */
  progress(snapshot: () => Observation): void;
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
 * One kind of check at run time. A probe observes and reports conditions; it never decides the
 * status, owns no timeout and writes no metrics: the engine does. Its config arrives validated: the
 * schema (lib/probes/config/) runs when check files are read, never in the probe function.
 */
export interface Probe<Config = unknown> {
  kind: string;
  /** What the check targets, as written (references unresolved): the `instance` label and table column. */
  target(config: Config): string;
  /** The `instance` label, when it is not the target (a DNS check's: the server asked). */
  instance?(config: Config): string;
  run(config: Config, ctx: ProbeContext): Promise<Observation>;
  /**
   * Top-level config fields holding references the probe never reads (a heartbeat's token is the ping
   * endpoint's): the engine leaves them unresolved and the probe function is not granted them.
   */
  unresolved?: readonly string[];
  /** The probe resolves its config's references itself, as it runs (`ctx.resolve`): a flow's steps. */
  resolvesOwnReferences?: boolean;
  /** The reason when the check's timeout cuts it; default `timed out after 10s while <stage>`. */
  timedOut?(after: string, stage: string): string;
  /** The IAM permissions a check of this kind needs, when it reads AWS APIs. */
  permissions?(config: Config, scope: ArnScope): Permission[];
}

export function defineProbe<Config>(probe: Probe<Config>): Probe<Config> {
  return probe;
}

/**
 * The check could not be set up (a reference or a `ca:` file that cannot be read): its result is
 * `unknown` with this message as the reason, since the target was never asked.
 */
export class CheckSetupError extends SaidError {
  override name = "CheckSetupError";
}
