/**
 * The one way a run writes alert state: the store's conditional update (lib/alerting/stores/store.ts),
 * keeping the run's view of each check's state in step, and a failure told as the check's error.
 */
import { describeError } from "../errors.js";
import { CONFLICT_ATTEMPTS } from "../retry.js";
import { VersionConflict } from "../store/entries.js";
import type { AlertState } from "./state-machine.js";
import { type StateStore, updateState } from "./stores/store.js";

export interface StateWriteOptions {
  signal: AbortSignal | undefined;
  onConflict: () => void;
}

/**
 * Writes `change(current)` for `check`, deciding from the state in `states` first and again from a
 * fresh read when someone wrote first. `states` is kept up to date with what the store holds.
 * True when written (or nothing to write); otherwise why not.
 */
export async function writeState(
  store: StateStore,
  check: string,
  states: Map<string, AlertState>,
  options: StateWriteOptions,
  change: (previous: AlertState | undefined) => AlertState | undefined,
): Promise<true | string> {
  try {
    const stored = await updateState(store, check, change, {
      ...(options.signal ? { signal: options.signal } : {}),
      onConflict: options.onConflict,
      known: states.get(check) ?? null,
    });
    if (stored) states.set(check, stored);
    else states.delete(check);
    return true;
  } catch (error) {
    if (error instanceof VersionConflict)
      return `state changed under us ${CONFLICT_ATTEMPTS} times; another invocation handles it`;
    return `alert state could not be written to ${store.name}: ${describeError(error)}`;
  }
}
