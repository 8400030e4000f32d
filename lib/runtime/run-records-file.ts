/**
 * Run records in a file that several local processes share: `watchpost run --location NAME`
 * processes that act as locations keep their reports beside the state file (`state.json` →
 * `state.runs.json`), each written under the file's lock so no location's report overwrites
 * another's (lib/store/file-entries.ts).
 */
import { entriesDocument } from "../store/file-document.js";
import { FileEntries } from "../store/file-entries.js";
import type { RunRecord } from "./freshness.js";
import { RunRecordStore } from "./run-records-store.js";

export class FileRunRecords extends RunRecordStore {
  constructor(file: string) {
    super(
      new FileEntries<RunRecord>({
        file,
        kind: entriesDocument("a Watchpost run records file", "records"),
      }),
    );
  }
}
