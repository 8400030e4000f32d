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
}

export interface StoreOptions {
  /** Aborted when the run must end: every request takes it. */
  signal?: AbortSignal;
}

/** In memory, for the demo and tests. */
export class MemoryStore implements StateStore {
  readonly name = "memory";
  private readonly states = new Map<string, AlertState>();

  async getMany(checks: readonly string[]): Promise<Map<string, AlertState>> {
    const out = new Map<string, AlertState>();
    for (const check of checks) {
      const state = this.states.get(check);
      if (state) out.set(check, structuredClone(state));
    }
    return out;
  }

  async put(state: AlertState, expectedVersion: number): Promise<boolean> {
    if ((this.states.get(state.check)?.version ?? 0) !== expectedVersion) return false;
    this.states.set(state.check, structuredClone(state));
    return true;
  }
}
