/** `watchpost demo`: local targets that behave well and badly, and checks against them. */
import { formatDiagnostic } from "../../checks/diagnostics.js";
import { parseCheckFile } from "../../checks/load.js";
import { startDemoTargets } from "../../demo.js";
import type { Io } from "../context.js";
import { execute, type RunOptions, select } from "./run.js";

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
    await execute(select(parsed.checks, options.only), options, io);
    return 0;
  } finally {
    await targets.close();
  }
}
