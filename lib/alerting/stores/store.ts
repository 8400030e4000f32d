import {
  type Entries,
  type UpdateOptions,
  updateVersioned,
  type Versioned,
  type VersionedEntries,
} from "../../store/entries.js";
import { MemoryEntries } from "../../store/memory-entries.js";
import type { AlertState } from "../state-machine.js";

/**
 * Where alert state lives between runs. Every write is conditional: `put` succeeds only when the
 * stored version is still `expectedVersion` (0: no state yet), so two invocations that race on one
 * check never both decide the same transition.
 */
export interface StateStore {
  readonly name: string;
  getMany(checks: readonly string[], options?: StoreOptions): Promise<Map<string, AlertState>>;
  /** False when someone else wrote first; the caller re-reads and decides again. */
  put(state: AlertState, expectedVersion: number, options?: StoreOptions): Promise<boolean>;
  /**
   * How many writes the store wants in flight at once. A store that batches whatever is waiting
   * (the state file: one read and one rewrite per batch) wants a run's writes all at once; one that
   * makes a request per write wants them bounded. Default 16.
   */
  readonly writesInFlight?: number;
  /**
   * Checks whose state may hold an open incident or an undelivered notification, whether or not
   * they are still configured: what a run may owe although it probed none of them. A superset: a
   * name whose state turns out closed is dropped by the run that reads it so.
   */
  openChecks?(options?: StoreOptions): Promise<string[]>;
  /** Adds `opened` to the open checks (before their states are written) and drops `closed`. */
  trackOpen?(opened: readonly string[], closed: readonly string[], options?: StoreOptions): Promise<void>;
}

/** Where the open checks are kept beside the states: no check's name can start with `#`. */
export const OPEN_CHECKS_KEY = "#open";

export interface StoreOptions {
  /** Aborted when the run must end: every request takes it. */
  signal?: AbortSignal;
}

/** Alert state on any backend: one entry per check, carrying its own version. */
export class AlertStates implements StateStore {
  readonly name: string;

  constructor(
    private readonly entries: VersionedEntries<AlertState>,
    /** Where the open checks are kept; a store that can list its states lists them instead. */
    private readonly open?: Entries<string[]>,
  ) {
    this.name = entries.name;
  }

  async openChecks(options: StoreOptions = {}): Promise<string[]> {
    return (await this.open?.get(OPEN_CHECKS_KEY, options))?.value ?? [];
  }

  async trackOpen(opened: readonly string[], closed: readonly string[], options: StoreOptions = {}) {
    if (!this.open || (opened.length === 0 && closed.length === 0)) return;
    await this.open.update(
      OPEN_CHECKS_KEY,
      (current) => {
        const next = new Set(current ?? []);
        for (const check of opened) next.add(check);
        for (const check of closed) next.delete(check);
        const sorted = [...next].sort();
        const changed = JSON.stringify(sorted) !== JSON.stringify([...(current ?? [])].sort());
        return changed ? { write: sorted, result: undefined } : { result: undefined };
      },
      options,
    );
  }

  async getMany(checks: readonly string[], options: StoreOptions = {}): Promise<Map<string, AlertState>> {
    const states = new Map<string, AlertState>();
    for (const [check, { value }] of await this.entries.getMany(checks, options)) states.set(check, value);
    return states;
  }

  put(state: AlertState, expectedVersion: number, options: StoreOptions = {}): Promise<boolean> {
    return this.entries.putIf(state.check, state, state.version, expectedVersion, options);
  }
}

/** In memory, for the demo and tests. */
export class MemoryStore extends AlertStates {
  constructor() {
    super(new MemoryEntries<AlertState>(), new MemoryEntries<string[]>());
  }
}

/**
 * Changes one check's state in any store: `change` decides from the stored state (undefined: none)
 * the state to store (undefined: nothing to write), which is written at the next version on
 * condition that the store still holds the one decided from. When another invocation wrote first,
 * the state is read and decided again, at most CONFLICT_ATTEMPTS times (lib/retry.ts), then
 * VersionConflict. Resolves to the state the store holds afterwards.
 */
export function updateState(
  store: StateStore,
  check: string,
  change: (previous: AlertState | undefined) => AlertState | undefined,
  options: StoreOptions &
    Pick<UpdateOptions<AlertState>, "onConflict"> & {
      /** The state as this run read it (`null`: none): decided from before reading again. */
      known?: AlertState | null;
    } = {},
): Promise<AlertState | undefined> {
  const versioned = (state: AlertState): Versioned<AlertState> => ({ value: state, version: state.version });
  return updateVersioned(
    check,
    {
      read: async () => {
        const state = (await store.getMany([check], options)).get(check);
        return state && versioned(state);
      },
      write: (state, _version, expected) => store.put(state, expected, options),
    },
    (previous) => {
      const next = change(previous);
      if (!next) return { result: previous };
      const written = { ...next, version: (previous?.version ?? 0) + 1 };
      return { write: written, result: written };
    },
    { onConflict: options.onConflict, known: options.known && versioned(options.known) },
  );
}
