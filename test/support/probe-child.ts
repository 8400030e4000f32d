/**
 * Runs one check entry (JSON in argv[2]) in a process of its own and prints the result with the
 * process's peak memory, so a test can hold a probe to a memory bound without the test runner's own.
 */
import { runChecks } from "../../lib/engine.js";
import { check } from "./checks.js";

const [result] = await runChecks([check(JSON.parse(process.argv[2] as string))]);
process.stdout.write(JSON.stringify({ result, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
