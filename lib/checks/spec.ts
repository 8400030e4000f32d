/** What loading check files produces: a CheckSpec per check, and the defaults filled in where a file is silent. */
import type { z } from "zod";
import type { MaintenanceWindow } from "../alerting/maintenance.js";
import type { CONFIGS } from "../probes/config/index.js";
import type { Kind } from "../probes/kinds.js";
import type { Diagnostic } from "./diagnostics.js";
import type { Severity } from "./schema.js";

export interface AlertPolicy {
  failAfter: number;
  /** Runs `failAfter` is counted among; equal to it for "in a row". */
  failWithin: number;
  recoverAfter: number;
  recoverWithin: number;
  /** Delay of the confirmation re-probe after a failed run; undefined: no confirmation. */
  confirmMs?: number;
  renotifyEveryMs?: number;
  runbook?: string;
  notifyDegraded: boolean;
  /** Locations that must see a failure; undefined: a majority of those that reported. */
  quorum?: number;
  /** The file's windows and the check's own. */
  maintenance: MaintenanceWindow[];
}

/** Another check, named by a dependency: its interval says how old its state may be and still count. */
export interface DependencyRef {
  check: string;
  intervalMs: number;
}

/** One validated check with its file's defaults applied. */
export interface CheckSpec<K extends Kind = Kind> {
  name: string;
  kind: K;
  config: z.output<(typeof CONFIGS)[K]>;
  intervalMs: number;
  timeoutMs: number;
  severity: Severity;
  labels: Record<string, string>;
  alert: AlertPolicy;
  /** Where it runs; undefined: every location of the deployment (or of `--locations`). */
  locations?: string[];
  /** Retries within a run after a failed attempt (lib/retry.ts). */
  retries: number;
  /** Send W3C `traceparent` on its http requests (http checks, a flow's http steps). */
  trace?: boolean;
  /** Its service level objective, when it has one (lib/history/slo.ts). */
  slo?: Slo;
  /** The checks this one depends on, directly. */
  dependsOn: DependencyRef[];
  /** The checks that depend on this one, directly or through others. */
  dependents: DependencyRef[];
  /**
   * Where it was defined, for messages: `checks/api.yml:12:5`, and where its interval and timeout
   * were written (the check's own field, or the file's defaults), so deploy rules point there.
   */
  source: {
    file: string;
    line: number;
    column?: number;
    path?: string;
    fields?: Partial<Record<"interval" | "timeout", { line: number; column: number; path: string }>>;
    /** Where an `${env:…}` is written in its settings, when one is (a deployment refuses it). */
    envReferences?: { line: number; column: number; path: string; reference: string; name: string }[];
  };
  /** Folder of the check file; relative paths in the check resolve against it. */
  baseDir: string;
}

export const DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 10_000,
  severity: "critical",
  failAfter: 2,
  recoverAfter: 1,
  confirmMs: 20_000,
  retries: 3,
} as const;

/** Where a heartbeat check's defaults differ: it alerts on the first late or failed run. */
export const HEARTBEAT_DEFAULTS = { failAfter: 1, confirmMs: 0, retries: 0 } as const;

/** A service level objective, as the check file gives it, in numbers. */
export interface Slo {
  /** The share of runs that must pass (0.999). */
  availability?: number;
  /** A percentile of passing runs' latency: at most `thresholdMs` for `quantile` of them. */
  latency?: { quantile: number; thresholdMs: number };
  windowMs: number;
}

export const DEFAULT_SLO_WINDOW_MS = 30 * 86_400_000;

/** An objective over every check with some labels: its budget is theirs together. */
export interface SloGroup {
  name: string;
  labels: Record<string, string>;
  slo: Slo;
  /** The checks in it, by name. */
  members: string[];
}

export interface LoadResult {
  checks: CheckSpec[];
  diagnostics: Diagnostic[];
  files: string[];
  /** Objectives over groups of checks (`slos:` in any file). */
  sloGroups?: SloGroup[];
}
