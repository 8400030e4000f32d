/** How a run is given its sinks: each made when first needed, inside the run's isolation. */
import type { Sink } from "../sinks/sink.js";

/** A sink made when a run first needs it, inside the run's isolation (reading a secret may fail). */
export interface SinkSource {
  /** Names the sink in the summary even when it could not be built. */
  readonly name: string;
  get(): Promise<Sink>;
}

/** A source that keeps the sink once built, and tries again on the next run when building failed. */
export function lazySink(name: string, build: () => Promise<Sink> | Sink): SinkSource {
  let sink: Promise<Sink> | undefined;
  return {
    name,
    get() {
      sink ??= Promise.resolve()
        .then(build)
        .catch((error) => {
          sink = undefined;
          throw error;
        });
      return sink;
    },
  };
}
