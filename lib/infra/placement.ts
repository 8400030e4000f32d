/** Where a stack probes from among several locations (regions), checked against its checks. */
import { Token } from "aws-cdk-lib";
import type { CheckSpec } from "../checks/load.js";
import { checkLocations } from "../runtime/quorum.js";
import { refuseCheckProblems, WatchpostConfigError } from "./errors.js";
import type { WatchpostLocations } from "./props.js";

export interface Placement {
  regions: string[];
  home: string;
  self: string;
  /** Not the home: state and decisions are the home region's. */
  remote: boolean;
  tableName: string;
}

/** Whether a check runs in this stack's region. */
export function runsHere(check: CheckSpec, placed: Placement): boolean {
  return checkLocations(check, placed.regions, placed.home).includes(placed.self);
}

/**
 * The home's state table name, the same in every location's stack and different for every deployment:
 * the stack's name without its own region (`Watchpost-eu-west-1` and `Watchpost-us-east-1` both find
 * `Watchpost-state`), unless the props name the table.
 */
export function stateTableName(given: WatchpostLocations, stackName: string, region: string): string {
  if (given.stateTableName) return given.stateTableName;
  const at = stackName.indexOf(region);
  const base =
    at < 0
      ? stackName
      : `${stackName.slice(0, at).replace(/-$/, "")}${stackName.slice(at + region.length)}`.replace(/^-/, "");
  return `${base || "watchpost"}-state`;
}

/** This stack's part among several locations, checked; undefined with one location. */
export function placement(
  given: WatchpostLocations | undefined,
  stack: { region: string; stackName: string },
  checks: CheckSpec[],
): Placement | undefined {
  const region = stack.region;
  if (!given) return undefined;
  const regions = given.regions;
  if (regions.length < 2 || new Set(regions).size !== regions.length)
    throw new WatchpostConfigError(
      `locations.regions: expected at least two different regions, found [${regions.join(", ")}]`,
    );
  const home = given.home ?? (regions[0] as string);
  if (!regions.includes(home))
    throw new WatchpostConfigError(`locations.home: expected one of ${regions.join(", ")}, found ${home}`);
  if (Token.isUnresolved(region))
    throw new WatchpostConfigError(
      "locations: this stack has no region of its own; give it env: { region } (one stack per location)",
    );
  if (!regions.includes(region))
    throw new WatchpostConfigError(
      `locations: this stack's region ${region} is not one of ${regions.join(", ")}`,
    );
  refuseCheckProblems({
    checks: checks.flatMap((check) => {
      const unknown = (check.locations ?? []).filter((l) => !regions.includes(l));
      return unknown.length > 0
        ? [
            `${check.source.file}:${check.source.line}${check.source.column ? `:${check.source.column}` : ""}: check ${check.name} runs at ${unknown.join(", ")}, not among the locations ${regions.join(", ")}`,
          ]
        : [];
    }),
  });
  return {
    regions,
    home,
    self: region,
    remote: region !== home,
    tableName: stateTableName(given, stack.stackName, region),
  };
}
