/**
 * Several locations, one decision. Every location probes the checks it runs and keeps its latest
 * results as a run record (its report, a sink of its run); the home location's decide stage reads
 * the other locations' reports of the same shard once, at its start, as an input, and turns each
 * check's reports into one result: down when `alert.quorum` locations saw it down (default: a
 * majority of those that reported), and so on. Alerting then runs on that result exactly as on a
 * single location's, through the same conditional write, so a transition is decided once and
 * delivered once.
 *
 * A location whose latest result of a check started longer ago than the check's interval plus
 * `REPORT_SLACK_MS` (or that has none) did not report: it counts neither up nor down, and the run
 * names it as silent. When fewer locations reported than the quorum needs, the check is `unknown`
 * for that run.
 */
import type { CheckSpec } from "../checks/load.js";
import type { CheckResult, LocationVerdict, Status } from "../result.js";
import type { RunRecord, RunRecords } from "./freshness.js";

/** How late a location's report may be: a schedule fires within a minute of its time. */
export const REPORT_SLACK_MS = 60_000;

/** An expected location with no fresh report, and when it last reported, if ever. */
export interface SilentLocation {
  location: string;
  lastReportAt?: number;
}

export interface QuorumRound {
  /** One result per check: what alerting decides on. */
  results: CheckResult[];
  /** Expected locations with no fresh report for this shard. */
  silent: SilentLocation[];
}

/**
 * The locations a check runs at: its own list, or every location of the deployment. A heartbeat is
 * evaluated at the home only, where its job's pings are recorded.
 */
export function checkLocations(
  spec: Pick<CheckSpec, "kind" | "locations">,
  all: readonly string[],
  home: string,
): string[] {
  if (spec.kind === "heartbeat") return [home];
  return spec.locations ?? [...all];
}

/** A location's result, as one verdict. */
function verdict(location: string, result: CheckResult): LocationVerdict {
  return { location, status: result.status, reason: result.reason, at: result.startedAt };
}

const list = (names: string[]) =>
  names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;

/** `eu-west-1 (status 503), us-east-1 (timed out after 10s)` */
const described = (verdicts: LocationVerdict[]) =>
  verdicts.map((v) => (v.reason ? `${v.location} (${v.reason})` : v.location)).join(", ");

/** How many agreeing verdicts make a decision: the check's `alert.quorum`, or a majority of those that reported. */
function quorumOf(spec: Pick<CheckSpec, "alert">, reported: number): number {
  return spec.alert.quorum ?? Math.floor(reported / 2) + 1;
}

/** The status and reason `verdicts` make together, `quorum` of them needed to agree. */
function tally(
  verdicts: LocationVerdict[],
  quorum: number,
  expected: readonly string[],
  silent: readonly string[],
  upReason: () => string,
): { status: Status; reason: string } {
  const count = (...statuses: Status[]) => verdicts.filter((v) => statuses.includes(v.status)).length;
  const of = `of ${expected.length} location${expected.length === 1 ? "" : "s"}`;
  const quiet = silent.length > 0 ? `; no report from ${list([...silent])}` : "";
  /** What the locations not already named saw. */
  const others = (...named: Status[]) => {
    const rest = verdicts.filter((v) => !named.includes(v.status));
    const groups = (["down", "degraded", "unknown", "up"] as Status[]).flatMap((s) => {
      const these = rest.filter((v) => v.status === s);
      return these.length > 0 ? [`${s} from ${described(these)}`] : [];
    });
    return groups.length > 0 ? `; ${groups.join("; ")}` : "";
  };
  if (verdicts.length < quorum)
    return {
      status: "unknown",
      reason: `only ${verdicts.length} ${of} reported, ${quorum} needed for a verdict${quiet}`,
    };
  if (count("down") >= quorum)
    return {
      status: "down",
      reason: `down from ${count("down")} ${of}: ${described(verdicts.filter((v) => v.status === "down"))}${others("down")}${quiet}`,
    };
  if (count("down", "degraded") >= quorum)
    return {
      status: "degraded",
      reason: `degraded or down from ${count("down", "degraded")} ${of}: ${described(verdicts.filter((v) => v.status === "down" || v.status === "degraded"))}${others("down", "degraded")}${quiet}`,
    };
  if (count("unknown") >= quorum)
    return {
      status: "unknown",
      reason: `unknown from ${count("unknown")} ${of}: ${described(verdicts.filter((v) => v.status === "unknown"))}${others("unknown")}${quiet}`,
    };
  const failing = verdicts.length - count("up");
  return {
    status: "up",
    reason:
      failing === 0 && silent.length === 0
        ? upReason()
        : `up from ${count("up")} ${of}${others("up")}${quiet}`,
  };
}

/**
 * One check's verdicts (one per location that reported) as one result, which carries the rest
 * (kind, target, facts) of the first location's result that agrees with the decision.
 */
export function decide(
  spec: CheckSpec,
  reported: { location: string; result: CheckResult }[],
  expected: readonly string[],
  silent: readonly string[],
  now: number,
): CheckResult {
  const verdicts = reported.map((r) => verdict(r.location, r.result));
  const first = reported[0]?.result;
  if (!first)
    return {
      name: spec.name,
      kind: spec.kind,
      target: "",
      status: "unknown",
      reason: `no location reported (expected ${list([...expected])})`,
      attempts: 0,
      startedAt: new Date(now).toISOString(),
      durationMs: 0,
      severity: spec.severity,
      labels: spec.labels,
      locations: [],
      conditions: [],
    };
  const pick = (status: Status) => reported.find((r) => r.result.status === status)?.result ?? first;
  const { status, reason } = tally(
    verdicts,
    quorumOf(spec, verdicts.length),
    expected,
    silent,
    () => pick("up").reason ?? "",
  );
  return { ...pick(status), status, reason, locations: verdicts };
}

/**
 * A quorum's result with the verdicts an earlier decision already counted (`counted`: each
 * location's latest verdict time counted) left out, so a location's report counts in at most one
 * decision. When too few new verdicts are left for the quorum the result had, the round decides
 * nothing: it is `skipped` (a confirmation re-probe at the home alone, or a report read twice).
 */
export function recount(
  spec: Pick<CheckSpec, "alert">,
  result: CheckResult,
  counted: Readonly<Record<string, string>> | undefined,
): CheckResult {
  const verdicts = result.locations;
  if (!verdicts || !counted) return result;
  const isNew = (v: LocationVerdict) =>
    counted[v.location] === undefined || Date.parse(v.at) > Date.parse(counted[v.location] as string);
  const fresh = verdicts.filter(isNew);
  if (fresh.length === verdicts.length) return result;
  const quorum = quorumOf(spec, verdicts.length);
  const old = verdicts.filter((v) => !isNew(v)).map((v) => v.location);
  if (fresh.length < quorum)
    return {
      ...result,
      status: "skipped",
      reason: `no new verdict to decide on: the reports of ${list(old)} were counted in an earlier decision`,
      locations: fresh,
    };
  const { status, reason } = tally(
    fresh,
    quorum,
    verdicts.map((v) => v.location),
    [],
    () => result.reason,
  );
  // The same verdict as all of them give: the reason that names every location stays.
  return { ...result, status, reason: status === result.status ? result.reason : reason, locations: fresh };
}

/** Each location's latest verdict time in `result`, over what was counted before. */
export function countedAfter(
  result: CheckResult,
  counted: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!result.locations) return counted && { ...counted };
  const next = { ...counted };
  for (const v of result.locations)
    if (next[v.location] === undefined || Date.parse(v.at) > Date.parse(next[v.location] as string))
      next[v.location] = v.at;
  return next;
}

/** The home location's part in a quorum: an input of its decide stage. */
export interface QuorumSource {
  /** Every check of the shard, those this location does not probe itself included. */
  readonly checks: readonly CheckSpec[];
  /** The other locations' latest reports, read once at the start of decide. */
  reports(signal: AbortSignal): Promise<LocationReports>;
}

/** The other locations' reports as read: joined with the home's own results, decision by decision. */
export interface LocationReports {
  join(own: readonly CheckResult[], checks: readonly CheckSpec[], now: number): QuorumRound;
}

/** The home's quorum over `shard`, its reports kept in `records` (the state table, a file, memory). */
export function quorumSource(input: {
  records: RunRecords;
  shard: string;
  home: string;
  locations: readonly string[];
  checks: readonly CheckSpec[];
}): QuorumSource {
  const others = input.locations.filter((location) => location !== input.home);
  return {
    checks: input.checks,
    reports: async (signal) => {
      const records = others.length > 0 ? await input.records.getAt(others, input.shard, signal) : [];
      return {
        join: (own, checks, now) =>
          joinQuorum({ records, home: input.home, locations: input.locations, checks, own, now }),
      };
    },
  };
}

/**
 * The home location's round: its own results joined with the other locations' reports, one result
 * per check.
 */
export function joinQuorum(input: {
  records: readonly RunRecord[];
  home: string;
  locations: readonly string[];
  checks: readonly CheckSpec[];
  own: readonly CheckResult[];
  now: number;
}): QuorumRound {
  const { home, checks, now, records } = input;
  const byLocation = new Map<string, Map<string, CheckResult>>(
    records.map((record) => [record.location, new Map(record.results.map((r) => [r.name, r]))]),
  );
  // When each location last reported anything: its newest result's start.
  const lastReport = new Map<string, number>(
    records.map((record) => [
      record.location,
      Math.max(...record.results.map((r) => Date.parse(r.startedAt))),
    ]),
  );
  // Each result by its own start: a location's report may hold results of several runs.
  const fresh = (spec: CheckSpec, result: CheckResult) =>
    now - Date.parse(result.startedAt) <= spec.intervalMs + REPORT_SLACK_MS;
  const ownByName = new Map(input.own.map((result) => [result.name, result]));
  const silentSet = new Set<string>();
  const results: CheckResult[] = [];
  for (const spec of checks) {
    const expected = checkLocations(spec, input.locations, home);
    const reported: { location: string; result: CheckResult }[] = [];
    const silent: string[] = [];
    for (const location of expected) {
      if (location === home) {
        const own = ownByName.get(spec.name);
        if (own && own.status !== "skipped") reported.push({ location, result: own });
        else if (!own) silent.push(location);
        continue;
      }
      const found = byLocation.get(location)?.get(spec.name);
      const result = found && fresh(spec, found) ? found : undefined;
      // A check that location skipped (no time left in its run) is its fault, not a verdict.
      if (result && result.status !== "skipped") reported.push({ location, result });
      else if (!result) {
        silent.push(location);
        silentSet.add(location);
      }
    }
    results.push(decide(spec, reported, expected, silent, now));
  }
  return {
    results,
    silent: [...silentSet].sort().map((location) => {
      const at = lastReport.get(location);
      return at !== undefined && Number.isFinite(at) ? { location, lastReportAt: at } : { location };
    }),
  };
}
