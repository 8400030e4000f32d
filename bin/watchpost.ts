#!/usr/bin/env node
import { main } from "../lib/cli/main.js";

// The AWS SDK warns on Node 20 that its releases after January 2027 will need Node 22, in nine lines
// above the table. Watchpost pins the SDK it runs with and supports Node 20.18+, so the notice says
// nothing about this command; a user who sets the variable themselves keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

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
