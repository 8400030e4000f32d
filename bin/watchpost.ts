#!/usr/bin/env node
import { main } from "../lib/cli/main.js";

const stop = new AbortController();
// The first Ctrl-C stops the run (what finished is printed, exit 130); a second one exits at once.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(new Error(`stopped by ${signal}`));
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stopSignal: stop.signal,
});
