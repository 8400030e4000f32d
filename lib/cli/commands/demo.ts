/** `watchpost demo`: local targets that behave well and badly, and checks against them. */
import { formatDiagnostic } from "../../checks/diagnostics.js";
import { parseCheckFile } from "../../checks/load.js";
import { startDemoTargets } from "../../demo.js";
import { command } from "../command.js";
import type { Io } from "../context.js";
import { METRIC_OPTIONS, shared } from "../options.js";
import { buildAlerter, buildSinks } from "../setup.js";
import { execute, type RunOptions } from "./run.js";

export const demoCommand = command({
  name: "demo",
  summary: "Start local demo targets and run example checks against them",
  usage: "watchpost demo [options]",
  options: { json: shared.json, wide: shared.wide, ...METRIC_OPTIONS },
  examples: ["watchpost demo"],
  exits: ["0 too when a demo check is down (some are, on purpose)"],
  run: async ({ values }, io) =>
    demo(
      {
        json: values.json,
        watch: false,
        wide: values.wide,
        concurrency: undefined,
        only: [],
        location: "local",
        sinks: await buildSinks(values, io),
        // State in memory and transitions printed: the demo leaves nothing behind.
        alerter: buildAlerter(undefined, {}, "local", io, { json: values.json }),
      },
      io,
    ),
});

export async function demo(options: RunOptions, io: Io): Promise<number> {
  const targets = await startDemoTargets();
  try {
    const parsed = parseCheckFile("demo.yml", targets.checks, process.cwd());
    if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
    if (!options.json)
      io.stdout.write(
        "Demo targets on 127.0.0.1 (healthy, slow, broken, hanging, a banner, a closed port); running checks against them.\n\n",
      );
    // The demo shows failures on purpose; its exit code says only whether the demo itself ran.
    await execute(parsed.checks, options, io);
    return 0;
  } finally {
    await targets.close();
  }
}
