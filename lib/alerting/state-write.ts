/** The one way alert state is written: conditionally on the version read, again on a conflict. */
import { describeError } from "../errors.js";
import type { AlertState } from "./state-machine.js";
import type { StateStore } from "./stores/store.js";

const MAX_WRITE_ATTEMPTS = 5;

export interface StateWriteOptions {
  signal: AbortSignal | undefined;
  onConflict: () => void;
}

/**
 * A conditional write of `change(current)`, re-reading and re-deciding when someone wrote first.
 * `states` holds what was read and is kept up to date with what is written.
 * True when written (or nothing to write); otherwise why not.
 */
export async function updateState(
  store: StateStore,
  check: string,
  states: Map<string, AlertState>,
  options: StateWriteOptions,
  change: (previous: AlertState | undefined) => AlertState | undefined,
): Promise<true | string> {
  try {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const previous = states.get(check);
      const next = change(previous);
      if (!next) return true;
      const expected = previous?.version ?? 0;
      const written = { ...next, version: expected + 1 };
      if (await store.put(written, expected, options)) {
        states.set(check, written);
        return true;
      }
      options.onConflict();
      const fresh = (await store.getMany([check], options)).get(check);
      if (fresh) states.set(check, fresh);
      else states.delete(check);
    }
    return `state changed under us ${MAX_WRITE_ATTEMPTS} times; another invocation handles it`;
  } catch (error) {
    return `alert state could not be written to ${store.name}: ${describeError(error)}`;
  }
}
