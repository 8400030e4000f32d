/**
 * The construct in a team's own stack (library mode): its problems as one positioned block without a
 * stack trace, its outputs under the names the README and `watchpost plan` use.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadChannels } from "../../../lib/alerting/channels/config.js";
import { Watchpost, WatchpostChecksError, WatchpostConfigError } from "../../../lib/infra/watchpost.js";

let good: string;
let bad: string;

beforeAll(async () => {
  good = await mkdtemp(path.join(tmpdir(), "watchpost-library-"));
  await writeFile(
    path.join(good, "api.yml"),
    'checks:\n  - name: api\n    http: { url: "https://api.example.com/health" }\n',
  );
  bad = await mkdtemp(path.join(tmpdir(), "watchpost-library-bad-"));
  await writeFile(
    path.join(bad, "api.yml"),
    "checks:\n  - name: api\n    interval: 5 minutes\n    http: { url: https://api.example.com }\n  - name: db\n    tcp: { host: db, port: 99999 }\n",
  );
});

afterEach(() => {
  delete process.env.WATCHPOST_DEBUG;
});

function teamStack() {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  return new Stack(app, "Team");
}

function thrown(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected it to throw");
}

describe("the construct's errors in a team's own app", () => {
  it("are one block of positioned lines, the stack trace left out unless WATCHPOST_DEBUG is set", () => {
    const error = thrown(() => new Watchpost(teamStack(), "Monitor", { checksDir: bad }));
    expect(error).toBeInstanceOf(WatchpostChecksError);
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("2 problems in the check files:");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/api\.yml:3:15: checks\[0\]\.interval: expected a duration/),
      expect.stringMatching(/api\.yml:6:28: checks\[1\]\.tcp\.port: /),
    ]);
    // What Node prints for an uncaught error is its stack: here the block, and nothing after it.
    expect(error.stack).toBe(`WatchpostChecksError: ${error.message}`);
    expect((error as WatchpostChecksError).problems).toEqual(lines.slice(1));

    process.env.WATCHPOST_DEBUG = "1";
    const traced = thrown(() => new Watchpost(teamStack(), "Monitor", { checksDir: bad }));
    expect(traced.stack).toMatch(/\n {4}at /);
  });

  it("place a channel's problem where channels.yml wrote it, under its own heading", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "watchpost-library-channels-"));
    const file = path.join(dir, "channels.yml");
    await writeFile(
      file,
      "channels:\n  - slack: ${secret:slack}\n  - webhook: https://hooks.example.com/x\n    severities: [critical]\n",
    );
    const error = thrown(
      () => new Watchpost(teamStack(), "Monitor", { checksDir: good, channels: loadChannels(file) }),
    );
    expect(error.message.split("\n")).toEqual([
      "1 problem in the channels:",
      `${file}:3:14: channels[1].webhook: expected a \${secret:ID} or \${ssm:NAME} reference to deploy (URLs, keys and credentials must not be in the template), found a plain value`,
    ]);
    expect(error.stack).not.toMatch(/\n {4}at /);
  });

  it("refuse a setting in one line, without a stack trace either", () => {
    const error = thrown(
      () =>
        new Watchpost(teamStack(), "Monitor", {
          checksDir: good,
          locations: { regions: ["eu-west-1", "eu-west-1"] },
        }),
    );
    expect(error).toBeInstanceOf(WatchpostConfigError);
    expect(error.stack).toBe(`WatchpostConfigError: ${error.message}`);
  });
});

describe("the construct's outputs", () => {
  it("are in a team's own stack under the README's names, whatever the construct's ID", () => {
    const stack = teamStack();
    new Watchpost(stack, "Uptime", { checksDir: good });
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual([
      "TopicArn",
      "DashboardUrl",
      "StateTable",
      "StatusPageBucket",
      "ProbeFunction",
    ]);
    expect(JSON.stringify(outputs.ProbeFunction?.Value)).toContain("UptimeProbe");
  }, 120_000);

  it("are left out with outputs: false, and a second monitor in one stack is told to", () => {
    const stack = teamStack();
    new Watchpost(stack, "Monitor", { checksDir: good });
    const error = thrown(() => new Watchpost(stack, "Second", { checksDir: good }));
    expect(error).toBeInstanceOf(WatchpostConfigError);
    expect(error.message).toBe(
      "Team/Second: the stack already has an output named TopicArn (another Watchpost?): give one of them outputs: false",
    );
    const quiet = teamStack();
    new Watchpost(quiet, "Monitor", { checksDir: good, outputs: false });
    expect(Template.fromStack(quiet).toJSON().Outputs).toBeUndefined();
  }, 120_000);
});
