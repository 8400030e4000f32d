/**
 * Heartbeat records in a file beside the state file (`state.json` → `state.pings.json`), shared by
 * `watchpost run --watch --listen` (which records pings and evaluates) and any other local run:
 * each change under the file's lock, written whole (lib/store/file-entries.ts).
 */
import { entriesDocument } from "../store/file-document.js";
import { FileEntries } from "../store/file-entries.js";
import type { HeartbeatRecord } from "./record.js";
import { Heartbeats } from "./store.js";

export class FileHeartbeats extends Heartbeats {
  constructor(file: string) {
    super(
      new FileEntries<HeartbeatRecord>({
        file,
        kind: entriesDocument("a Watchpost heartbeat file", "checks"),
      }),
    );
  }
}
