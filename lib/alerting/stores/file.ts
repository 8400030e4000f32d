/**
 * Alert state in one JSON file, for the CLI: `.watchpost/state.json` by default. Every write takes a
 * lock file beside it (`state.json.lock`), so runs in several processes that share the file never
 * lose each other's updates: the version check and the write happen under the lock, and a run's
 * writes go together (lib/store/file-entries.ts).
 */
import { entriesDocument } from "../../store/file-document.js";
import { VersionedFileEntries } from "../../store/file-entries.js";
import { isOpen } from "../closing.js";
import type { AlertState } from "../state-machine.js";
import { alertStateShape } from "../state-shape.js";
import { AlertStates } from "./store.js";

export class FileStore extends AlertStates {
  /** A run's writes all at once: they go in one batch, one read and one rewrite of the file. */
  readonly writesInFlight = Number.POSITIVE_INFINITY;
  private readonly file: VersionedFileEntries<AlertState>;

  constructor(file: string) {
    const entries = new VersionedFileEntries<AlertState>(
      {
        file,
        kind: entriesDocument("a Watchpost state file", "checks", alertStateShape),
        pretty: true,
      },
      (state) => state.version,
    );
    super(entries);
    this.file = entries;
  }

  /** The file is read whole anyway: its open checks are listed, not kept apart. */
  override async openChecks(): Promise<string[]> {
    const states = await this.file.all();
    return Object.keys(states)
      .filter((check) => isOpen(states[check]))
      .sort();
  }

  /**
   * Before a run: the file can be read (or does not exist yet) and its folder can be made. Throws
   * what is wrong, so a command can refuse before probing instead of after.
   */
  verify(): Promise<void> {
    return this.file.verify();
  }
}
