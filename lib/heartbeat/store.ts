/** Where heartbeat records live: the state table (deployed), a file beside the state file (locally). */
import type { Entries } from "../store/entries.js";
import { MemoryEntries } from "../store/memory-entries.js";
import { applyPing, emptyRecord, type HeartbeatRecord, type Ping } from "./record.js";

export interface HeartbeatStore {
  readonly name: string;
  /**
   * The check's record. A check never seen before gets one created now, so its silence is counted
   * from its first evaluation (a deployed heartbeat whose job never pings still fires).
   */
  get(check: string, now: number, signal?: AbortSignal): Promise<HeartbeatRecord>;
  /** Records one ping: read, apply, write, never losing a ping recorded at the same time. */
  record(check: string, ping: Ping, signal?: AbortSignal): Promise<HeartbeatRecord>;
}

/** Heartbeat records on any backend, one entry per check. */
export class Heartbeats implements HeartbeatStore {
  readonly name: string;

  constructor(private readonly entries: Entries<HeartbeatRecord>) {
    this.name = entries.name;
  }

  async get(check: string, now: number, signal?: AbortSignal): Promise<HeartbeatRecord> {
    const existing = await this.entries.get(check, { signal });
    if (existing) return existing.value;
    // Created unless a ping (or another evaluation) created it first.
    const created = emptyRecord(now);
    return this.entries.update(
      check,
      (current) => (current ? { result: current } : { write: created, result: created }),
      { signal, known: null },
    );
  }

  record(check: string, ping: Ping, signal?: AbortSignal): Promise<HeartbeatRecord> {
    return this.entries.update(
      check,
      (current) => {
        const next = applyPing(current, ping);
        return { write: next, result: next };
      },
      { signal },
    );
  }
}

/** In memory, for one process (tests). */
export class MemoryHeartbeats extends Heartbeats {
  constructor() {
    super(new MemoryEntries<HeartbeatRecord>());
  }
}
