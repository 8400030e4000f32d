/**
 * The `heartbeat` kind: the job pings Watchpost (lib/heartbeat/endpoint.ts), and this check reads
 * what it recorded and says whether the job ran as expected. It asks no target; `unknown` when the
 * records cannot be read.
 */
import { describeSchedule, heartbeatVerdict } from "../heartbeat/verdict.js";
import type { Observation } from "../result.js";
import type { HeartbeatConfig } from "./config/heartbeat.js";
import { defineProbe } from "./probe.js";

export const heartbeatProbe = defineProbe<HeartbeatConfig>({
  kind: "heartbeat",
  target: (cfg) => `heartbeat ${describeSchedule(cfg)}`,
  unresolved: ["token"],

  async run(cfg, ctx): Promise<Observation> {
    if (!ctx.heartbeats) {
      return {
        conditions: [{ ok: false, effect: "unknown", text: "no heartbeat store was given to the engine" }],
        summary: "",
      };
    }
    ctx.stage(`reading the pings of ${ctx.check}`);
    const now = Date.now();
    let record: Awaited<ReturnType<typeof ctx.heartbeats.get>>;
    try {
      record = await ctx.heartbeats.get(ctx.check, now, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return {
        conditions: [
          {
            ok: false,
            effect: "unknown",
            text: `could not read the pings of ${ctx.check} from ${ctx.heartbeats.name}: ${(error as Error)?.message ?? String(error)}`,
          },
        ],
        summary: "",
      };
    }
    return heartbeatVerdict(cfg, record, now);
  },
});
