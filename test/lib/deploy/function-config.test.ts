import { describe, expect, it } from "vitest";
import { FUNCTION_CONFIG_ENV, parseFunctionConfig } from "../../../lib/deploy/function-config.js";
import { functionConfig } from "../../support/function-config.js";

const valid = functionConfig();
const parse = (value: unknown) =>
  parseFunctionConfig({ [FUNCTION_CONFIG_ENV]: typeof value === "string" ? value : JSON.stringify(value) });

describe("the probe function's configuration", () => {
  it("parses what the construct writes", () => {
    expect(parse(valid)).toEqual(valid);
    const locations = { all: ["eu-west-1", "us-east-1"], home: "eu-west-1", stateRegion: "eu-west-1" };
    expect(parse({ ...valid, locations }).locations).toEqual(locations);
    expect(
      parse({ ...valid, remoteWrite: { url: "https://prom/api/v1/write", sigv4Region: "eu-west-1" } })
        .remoteWrite,
    ).toEqual({
      url: "https://prom/api/v1/write",
      sigv4Region: "eu-west-1",
    });
  });

  it.each([
    [undefined, "WATCHPOST_CONFIG: not set (the Watchpost construct sets it)"],
    ["{nope", /^WATCHPOST_CONFIG: not JSON: /],
    [[1], "WATCHPOST_CONFIG: expected a JSON object (the Watchpost construct sets it)"],
    [
      { ...valid, stateTable: "" },
      'WATCHPOST_CONFIG: stateTable: expected a non-empty string, found "" (the Watchpost construct sets it)',
    ],
    [
      { ...valid, groupThreshold: 0 },
      "WATCHPOST_CONFIG: groupThreshold: expected a whole number of at least 1, found 0 (the Watchpost construct sets it)",
    ],
    [
      { ...valid, phases: "yes" },
      'WATCHPOST_CONFIG: phases: expected true or false, found "yes" (the Watchpost construct sets it)',
    ],
    [
      { ...valid, locations: { all: ["eu-west-1"], home: "eu-west-1", stateRegion: "eu-west-1" } },
      'WATCHPOST_CONFIG: locations.all: expected a list of at least two locations, found ["eu-west-1"] (the Watchpost construct sets it)',
    ],
    [
      {
        ...valid,
        locations: { all: ["eu-west-1", "us-east-1"], home: "sa-east-1", stateRegion: "eu-west-1" },
      },
      'WATCHPOST_CONFIG: locations.home: expected one of ["eu-west-1","us-east-1"], found "sa-east-1" (the Watchpost construct sets it)',
    ],
    [
      { ...valid, remoteWrite: { url: "https://p/w", instance: "host" } },
      'WATCHPOST_CONFIG: remoteWrite.instance: expected target or check, found "host" (the Watchpost construct sets it)',
    ],
    [
      { ...valid, remoteWrite: { url: "https://p/w", secretArn: "arn:s", sigv4Region: "eu-west-1" } },
      "WATCHPOST_CONFIG: remoteWrite: give secretArn or sigv4Region, not both (the Watchpost construct sets it)",
    ],
  ])("refuses %j, saying what it expected and found", (value, message) => {
    expect(() => (value === undefined ? parseFunctionConfig({}) : parse(value))).toThrow(message);
  });
});
