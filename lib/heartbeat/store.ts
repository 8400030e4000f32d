/** Where heartbeat records live: the state table (deployed), a file beside the state file (locally). */
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

/** In memory, for one process (tests). */
export class MemoryHeartbeats implements HeartbeatStore {
  readonly name = "memory";
  private readonly records = new Map<string, HeartbeatRecord>();

  async get(check: string, now: number): Promise<HeartbeatRecord> {
    let record = this.records.get(check);
    if (!record) {
      record = emptyRecord(now);
      this.records.set(check, record);
    }
    return record;
  }

  async record(check: string, ping: Ping): Promise<HeartbeatRecord> {
    const record = applyPing(this.records.get(check), ping);
    this.records.set(check, record);
    return record;
  }
}
