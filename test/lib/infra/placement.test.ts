import { describe, expect, it } from "vitest";
import { stateTableName } from "../../../lib/infra/placement.js";

const regions = ["eu-west-1", "us-east-1"];

describe("the state table's name among several locations", () => {
  it("is every location's stack name without its region: the same in each, another deployment's not", () => {
    const names = (stack: string) =>
      regions.map((region) => stateTableName({ regions }, stack.replace("REGION", region), region));
    expect(names("Watchpost-REGION")).toEqual(["Watchpost-state", "Watchpost-state"]);
    expect(names("Staging-REGION")).toEqual(["Staging-state", "Staging-state"]);
    expect(names("Shop-REGION-monitor")).toEqual(["Shop-monitor-state", "Shop-monitor-state"]);
    expect(names("REGION-Shop")).toEqual(["Shop-state", "Shop-state"]);
    expect(names("REGION")).toEqual(["watchpost-state", "watchpost-state"]);
  });

  it("is the stack's whole name when it holds no region (the stacks then share one name), or the one given", () => {
    expect(stateTableName({ regions }, "Monitor", "eu-west-1")).toBe("Monitor-state");
    expect(
      stateTableName({ regions, stateTableName: "shop-alerts" }, "Watchpost-eu-west-1", "eu-west-1"),
    ).toBe("shop-alerts");
  });
});
