/**
 * History in a file beside the state file (`state.json` → `state.history.json`): each run's results
 * added under the file's lock, the file written whole and compacted (400 days; five-minute slots for
 * the last four).
 */
import { readShared, withFileLock, writeWhole } from "../shared-file.js";
import { addTransitions } from "./incidents.js";
import { addResult, compact, emptyHistory, type History } from "./model.js";
import type { HistoryBatch, HistoryStore } from "./store.js";

interface HistoryFile extends History {
  format: 1;
}

export class FileHistory implements HistoryStore {
  readonly name: string;

  constructor(
    private readonly file: string,
    private readonly retainDays?: number,
  ) {
    this.name = `file ${file}`;
  }

  private load(): Promise<HistoryFile> {
    return readShared<HistoryFile>(
      this.file,
      () => ({ format: 1, ...emptyHistory() }),
      (parsed) =>
        (parsed as HistoryFile)?.format === 1 &&
        typeof (parsed as HistoryFile).days === "object" &&
        Array.isArray((parsed as HistoryFile).incidents),
      "a Watchpost history file",
    );
  }

  async record(batch: HistoryBatch): Promise<void> {
    await withFileLock(this.file, async () => {
      const history = await this.load();
      for (const entry of batch.entries) addResult(history, entry, entry.intervalMs, entry.slowMs);
      addTransitions(history, batch.transitions);
      compact(history, batch.now, this.retainDays);
      await writeWhole(this.file, `${JSON.stringify(history)}\n`);
    });
  }

  async read(range: { fromDay: string; toDay: string }): Promise<History> {
    const history = await this.load();
    const days = Object.fromEntries(
      Object.entries(history.days).filter(([day]) => day >= range.fromDay && day <= range.toDay),
    );
    return { days, incidents: history.incidents, ...(history.latest ? { latest: history.latest } : {}) };
  }
}
