/**
 * Runs check entries (JSON in argv[2]: one entry, or a list run at once) in a process of their own
 * and prints the results with the process's peak memory, so a test can hold probes to a memory bound
 * without the test runner's own.
 */
import { runChecks } from "../../lib/engine.js";
import { check } from "./checks.js";

const given = JSON.parse(process.argv[2] as string) as Record<string, unknown> | Record<string, unknown>[];
const entries = Array.isArray(given) ? given : [given];
const results = await runChecks(entries.map((entry) => check(entry)));
process.stdout.write(
  JSON.stringify({
    result: results[0],
    results,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
