import dns from "node:dns";
import type { LookupFunction } from "node:net";

/** A `lookup` for net/tls/undici that records how long name resolution took (0 for IP literals). */
export function timedLookup(): { fn: LookupFunction; durationMs(): number } {
  let duration = 0;
  const fn: LookupFunction = (hostname, options, callback) => {
    const started = performance.now();
    dns.lookup(hostname, options, (...args: Parameters<typeof callback>) => {
      duration += performance.now() - started;
      (callback as (...a: unknown[]) => void)(...args);
    });
  };
  return { fn, durationMs: () => duration };
}
