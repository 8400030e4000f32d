/**
 * Keeps a slow shard's latest results for re-sending between its runs (lib/runtime/freshness.ts).
 * A sink of the run like any other: bounded by the run, reported in the summary, a failure of its
 * own failing nothing else. One per run: confirmation rounds replace their checks' first results.
 */
import { describeError } from "../errors.js";
import type { CheckResult } from "../result.js";
import { DeliveryTally, type Sink, type SinkContext, type SinkReport } from "../sinks/sink.js";
import type { RunRecords } from "./freshness.js";

export class RunRecordSink implements Sink {
  readonly name: string;
  private at: number | undefined;
  private readonly latest = new Map<string, CheckResult>();

  constructor(
    private readonly records: RunRecords,
    private readonly shard: { id: string; intervalMs: number },
    /** What the record is for, in the summary: `run record`, or a location's `location report`. */
    label = "run record",
  ) {
    this.name = `${label} (${records.name})`;
  }

  async write(results: readonly CheckResult[], context: SinkContext): Promise<SinkReport> {
    const tally = new DeliveryTally(this.name, "records");
    this.at ??= context.runStartedAt;
    for (const result of results) this.latest.set(result.name, result);
    try {
      await this.records.put(
        {
          location: context.location,
          shard: this.shard.id,
          intervalMs: this.shard.intervalMs,
          at: this.at,
          // A skipped check has nothing to show between runs.
          results: [...this.latest.values()].filter((result) => result.status !== "skipped"),
        },
        context.signal,
      );
      tally.record(1);
    } catch (error) {
      tally.record(1, { samples: results.length, error: describeError(error) });
    }
    return tally.report(results.length);
  }
}
