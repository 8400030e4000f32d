import { describe, expect, it } from "vitest";
import type { AlertState } from "../../../../lib/alerting/state-machine.js";
import { MemoryStore, type StateStore, updateState } from "../../../../lib/alerting/stores/store.js";
import { CONFLICT_ATTEMPTS } from "../../../../lib/retry.js";
import { VersionConflict } from "../../../../lib/store/entries.js";

const state = (failures: number, version: number): AlertState => ({
  check: "api",
  version,
  failures,
  successes: 0,
  lastStatus: "down",
  lastReason: "status 503",
  lastRunAt: "2026-11-22T00:00:00.000Z",
  outbox: [],
});

const failedAgain = (previous: AlertState | undefined) => state((previous?.failures ?? 0) + 1, 0);

/** A memory store that counts its reads and lets `interfere` write just before each of our writes. */
function watched(interfere: (inner: MemoryStore) => Promise<void> = async () => {}) {
  const inner = new MemoryStore();
  const calls = { reads: 0, writes: 0 };
  const store: StateStore = {
    name: "watched",
    getMany: (checks) => {
      calls.reads++;
      return inner.getMany(checks);
    },
    put: async (written, expected) => {
      calls.writes++;
      await interfere(inner);
      return inner.put(written, expected);
    },
  };
  return { inner, store, calls };
}

describe("a check's state changed in any store", () => {
  it("decides from the state the run read, and writes it at the next version", async () => {
    const { inner, store, calls } = watched();
    await inner.put(state(1, 1), 0);
    const stored = await updateState(store, "api", failedAgain, { known: state(1, 1) });
    expect(stored).toEqual(state(2, 2));
    expect(calls).toEqual({ reads: 0, writes: 1 });
    expect((await inner.getMany(["api"])).get("api")).toEqual(state(2, 2));
    // Nothing to write: nothing written, and the state as read is what the store holds.
    expect(await updateState(store, "api", () => undefined)).toEqual(state(2, 2));
    expect(calls).toEqual({ reads: 1, writes: 1 });
  });

  it("reads again and decides again when another invocation wrote first", async () => {
    let other = true;
    const { inner, store, calls } = watched(async (memory) => {
      if (other) await memory.put(state(5, 1), 0);
      other = false;
    });
    let conflicts = 0;
    const stored = await updateState(store, "api", failedAgain, {
      known: null,
      onConflict: () => conflicts++,
    });
    expect(stored).toEqual(state(6, 2));
    expect(conflicts).toBe(1);
    expect(calls).toEqual({ reads: 1, writes: 2 });
    expect((await inner.getMany(["api"])).get("api")).toEqual(state(6, 2));
  });

  it("gives up after CONFLICT_ATTEMPTS writes lost to others", async () => {
    const { store, calls } = watched(async (memory) => {
      const current = (await memory.getMany(["api"])).get("api");
      await memory.put(state(99, (current?.version ?? 0) + 1), current?.version ?? 0);
    });
    await expect(updateState(store, "api", failedAgain, { known: null })).rejects.toThrow(VersionConflict);
    expect(calls.writes).toBe(CONFLICT_ATTEMPTS);
  });
});
