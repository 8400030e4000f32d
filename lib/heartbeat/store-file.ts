/**
 * Heartbeat records in a file beside the state file (`state.json` → `state.pings.json`), shared by
 * `watchpost run --watch --listen` (which records pings and evaluates) and any other local run:
 * each change under the file's lock, written whole.
 */
import { readShared, withFileLock, writeWhole } from "../shared-file.js";
import { applyPing, emptyRecord, type HeartbeatRecord, type Ping } from "./record.js";
import type { HeartbeatStore } from "./store.js";

interface PingsFile {
  format: 1;
  checks: Record<string, HeartbeatRecord>;
}

export class FileHeartbeats implements HeartbeatStore {
  readonly name: string;

  constructor(private readonly file: string) {
    this.name = `file ${file}`;
  }

  private read(): Promise<PingsFile> {
    return readShared<PingsFile>(
      this.file,
      () => ({ format: 1, checks: {} }),
      (parsed) => (parsed as PingsFile)?.format === 1 && typeof (parsed as PingsFile).checks === "object",
      "a Watchpost heartbeat file",
    );
  }

  async get(check: string, now: number): Promise<HeartbeatRecord> {
    const existing = (await this.read()).checks[check];
    if (existing) return existing;
    return this.change(check, (record) => record ?? emptyRecord(now));
  }

  record(check: string, ping: Ping): Promise<HeartbeatRecord> {
    return this.change(check, (record) => applyPing(record, ping));
  }

  private change(
    check: string,
    update: (record: HeartbeatRecord | undefined) => HeartbeatRecord,
  ): Promise<HeartbeatRecord> {
    return withFileLock(this.file, async () => {
      const file = await this.read();
      const before = file.checks[check];
      const after = update(before);
      if (after !== before) {
        file.checks[check] = after;
        await writeWhole(this.file, `${JSON.stringify(file)}\n`);
      }
      return after;
    });
  }
}
