/** Which probe function runs which shards: the private network's split, locations, the coordinator. */
import { App, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { describe, expect, it } from "vitest";
import type { Placement } from "../../../lib/infra/placement.js";
import { planShards } from "../../../lib/infra/shard-plan.js";
import { check } from "../../support/checks.js";

const vpc = ec2.Vpc.fromVpcAttributes(new Stack(new App(), "Team"), "Vpc", {
  vpcId: "vpc-12345678",
  availabilityZones: ["eu-west-1a"],
  privateSubnetIds: ["subnet-12345678"],
});

const checks = [
  check({ name: "api", http: { url: "https://api.example.com" } }),
  check({ name: "cert", interval: "1h", tls: { host: "api.example.com" } }),
  check({
    name: "internal",
    labels: { network: "private" },
    interval: "5m",
    tcp: { host: "db", port: 5432 },
  }),
  check({ name: "eu-only", locations: ["eu-west-1"], interval: "15m", tcp: { host: "eu", port: 1 } }),
];

const placed = (self: string): Placement => ({
  regions: ["eu-west-1", "us-east-1"],
  home: "eu-west-1",
  self,
  remote: self !== "eu-west-1",
  tableName: "watchpost-state",
});

/** Each function's id and its shards' ids. */
const shape = (plan: ReturnType<typeof planShards>) =>
  plan.functions.map((f) => [f.id, f.shards.map((s) => s.id)]);

describe("the shard plan", () => {
  it("runs every check in the public function without a private network, its fastest shard coordinating", () => {
    const plan = planShards(checks, 200, undefined, undefined);
    expect(shape(plan)).toEqual([["Probe", ["1m-0", "5m-0", "15m-0", "1h-0"]]]);
    expect(plan.functions[0]?.network).toBeUndefined();
    expect(plan.shards.map((s) => s.id)).toEqual(["1m-0", "5m-0", "15m-0", "1h-0"]);
    expect(plan.coordinator).toBe("1m-0");
  });

  it("puts checks with the private network's label in the function in the VPC, under their own shard ids", () => {
    const plan = planShards(checks, 200, { vpc }, undefined);
    expect(shape(plan)).toEqual([
      ["Probe", ["1m-0", "15m-0", "1h-0"]],
      ["PrivateProbe", ["vpc-5m-0"]],
    ]);
    expect(plan.functions[1]?.network?.vpc).toBe(vpc);
    expect(plan.shards.map((s) => s.id)).toEqual(["1m-0", "15m-0", "1h-0", "vpc-5m-0"]);
    const byTeam = planShards(checks, 200, { vpc, label: { name: "team", value: "nobody" } }, undefined);
    expect(shape(byTeam)).toEqual([["Probe", ["1m-0", "5m-0", "15m-0", "1h-0"]]]);
  });

  it("lets the private function coordinate when the public one runs nothing", () => {
    const plan = planShards(checks.slice(2, 3), 200, { vpc }, undefined);
    expect(shape(plan)).toEqual([["PrivateProbe", ["vpc-5m-0"]]]);
    expect(plan.coordinator).toBe("vpc-5m-0");
  });

  it("runs at another location only the shards holding checks placed there, and coordinates nothing there", () => {
    expect(shape(planShards(checks, 200, undefined, placed("eu-west-1")))).toEqual([
      ["Probe", ["1m-0", "5m-0", "15m-0", "1h-0"]],
    ]);
    const away = planShards(checks, 200, undefined, placed("us-east-1"));
    expect(shape(away)).toEqual([["Probe", ["1m-0", "5m-0", "1h-0"]]]);
    expect(away.coordinator).toBeUndefined();
  });

  it("cuts shards of at most the given size", () => {
    const two = ["a", "b"].map((name) => check({ name, tcp: { host: name, port: 1 } }));
    expect(shape(planShards(two, 1, undefined, undefined))).toEqual([["Probe", ["1m-0", "1m-1"]]]);
  });
});
