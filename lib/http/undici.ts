/**
 * The parts of undici Watchpost uses (remote-write and notification channels), loaded from undici's
 * own modules rather than its index. The index also loads fetch, WebSocket, EventSource, the caches
 * (SQLite included), the mock agents and the proxies, none of which Watchpost uses: half of undici's
 * weight in the function's bundle and in its start-up. What the index adds to every dispatcher
 * (`request`, `stream` …) is added here the same way, so the agent behaves as the one
 * `import { Agent } from "undici"` gives.
 *
 * undici publishes no `exports` map, so these paths are open to import; the types are undici's own.
 */
import type * as Undici from "undici";
// @ts-expect-error undici ships no declarations for its internal modules; typed below.
import api from "undici/lib/api/index.js";
// @ts-expect-error as above
import AgentImpl from "undici/lib/dispatcher/agent.js";
// @ts-expect-error as above
import DispatcherImpl from "undici/lib/dispatcher/dispatcher.js";

Object.assign(DispatcherImpl.prototype, api);

export type Dispatcher = Undici.Dispatcher;
export const Agent = AgentImpl as typeof Undici.Agent;
export type Agent = Undici.Agent;

let shared: Undici.Agent | undefined;

/** One agent for the process's occasional requests (notifications), made on first use. */
export function sharedAgent(): Undici.Agent {
  shared ??= new Agent();
  return shared;
}
