/**
 * `watchpost run --location NAME --locations A,B,C`: local processes that act as the locations of a
 * deployment, sharing `--state`. Each runs the checks that run at its location and reports its
 * latest results to a file beside the state file; the first of `--locations` (the home) also reads
 * the others' reports and alerts on the quorum, as the deployed home region does.
 */
import type { CheckSpec } from "../checks/load.js";
import type { RunRecords } from "../runtime/freshness.js";
import { lazySink, type SinkSource } from "../runtime/pipeline.js";
import { checkLocations, type QuorumSource, quorumSource } from "../runtime/quorum.js";
import { RunRecordSink } from "../runtime/run-record-sink.js";
import { UsageError } from "./context.js";

/** The key of a local location's report: local runs are not cut into shards. */
const LOCAL_SHARD = "local";

export interface LocationsPlan {
  /** The checks this location probes. */
  checks: CheckSpec[];
  /** Its report, a sink of every run. */
  report: SinkSource;
  /** The home's quorum; undefined at the other locations, which do not alert. */
  quorum?: QuorumSource;
  home: string;
}

export function planLocations(
  checks: CheckSpec[],
  location: string,
  locations: string[],
  records: RunRecords,
): LocationsPlan {
  if (!locations.includes(location))
    throw new UsageError(
      `--location ${location} is not one of --locations ${locations.join(",")}; name this process's location`,
    );
  if (new Set(locations).size !== locations.length)
    throw new UsageError(`--locations names a location twice: ${locations.join(",")}`);
  for (const check of checks) {
    const unknown = (check.locations ?? []).filter((l) => !locations.includes(l));
    if (unknown.length > 0)
      throw new UsageError(
        `${check.source.file}:${check.source.line}: check ${check.name} runs at ${unknown.join(", ")}, not among --locations ${locations.join(",")}`,
      );
  }
  const home = locations[0] as string;
  // One sink for the whole process: it keeps every check's latest result across --watch's runs.
  const sink = new RunRecordSink(
    records,
    { id: LOCAL_SHARD, intervalMs: Math.min(...checks.map((c) => c.intervalMs)) },
    `location report of ${location}`,
  );
  return {
    checks: checks.filter((check) => checkLocations(check, locations, home).includes(location)),
    report: lazySink(sink.name, () => sink),
    home,
    ...(location === home
      ? { quorum: quorumSource({ records, shard: LOCAL_SHARD, home, locations, checks }) }
      : {}),
  };
}
