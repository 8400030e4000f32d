/**
 * Which probe function runs which shards here: checks with the private network's label go to the
 * function in the VPC, the rest to the public one; a location other than the home runs only the
 * shards that hold checks placed there; one shard coordinates what spans shards.
 */
import type { CheckSpec } from "../checks/load.js";
import { cutShards, type Shard } from "../deploy/compile.js";
import { type Placement, runsHere } from "./placement.js";
import type { WatchpostPrivateNetwork } from "./props.js";

/** One probe function's share: its construct id, its checks and the shards cut from them. */
export interface ProbePlan {
  id: "Probe" | "PrivateProbe";
  checks: CheckSpec[];
  shards: Shard[];
  /** Where the function runs when it is the private network's. */
  network?: WatchpostPrivateNetwork;
}

export interface ShardPlan {
  /** The functions this stack deploys (a function with no shard here is none), public first. */
  functions: ProbePlan[];
  /** Every shard of those functions, in their order. */
  shards: Shard[];
  /**
   * The shard whose runs coordinate group objectives and the status page: the fastest of the public
   * function when it runs anything, else of the private one; the home's only.
   */
  coordinator: string | undefined;
}

export function planShards(
  checks: CheckSpec[],
  maxPerShard: number,
  privateNetwork: WatchpostPrivateNetwork | undefined,
  placed: Placement | undefined,
): ShardPlan {
  const label = privateNetwork?.label ?? { name: "network", value: "private" };
  const isPrivate = (check: CheckSpec) =>
    privateNetwork !== undefined && check.labels[label.name] === label.value;
  const functions = (
    [
      { id: "Probe", checks: checks.filter((check) => !isPrivate(check)), prefix: "", network: undefined },
      { id: "PrivateProbe", checks: checks.filter(isPrivate), prefix: "vpc-", network: privateNetwork },
    ] as const
  ).flatMap(({ id, checks, prefix, network }): ProbePlan[] => {
    // Cut from every check, so a shard is the same at every location.
    const shards = cutShards(checks, maxPerShard, prefix).filter(
      (shard) => !placed?.remote || shard.checks.some((check) => runsHere(check, placed)),
    );
    return shards.length > 0 ? [{ id, checks, shards, ...(network ? { network } : {}) }] : [];
  });
  const fastest = functions[0]?.shards.reduce((best, shard) =>
    shard.intervalMs < best.intervalMs ? shard : best,
  );
  return {
    functions,
    shards: functions.flatMap((plan) => plan.shards),
    coordinator: placed?.remote ? undefined : fastest?.id,
  };
}
