/**
 * Run records in a file that several local processes share: `watchpost run --location NAME`
 * processes that act as locations keep their reports beside the state file (`state.json` →
 * `state.runs.json`), each written under the file's lock so no location's report overwrites
 * another's.
 */
import { readShared, withFileLock, writeWhole } from "../shared-file.js";
import type { RunRecord, RunRecords } from "./freshness.js";

interface RecordsFile {
  format: 1;
  records: Record<string, RunRecord>;
}

export class FileRunRecords implements RunRecords {
  readonly name: string;

  constructor(private readonly file: string) {
    this.name = `file ${file}`;
  }

  private read(): Promise<RecordsFile> {
    return readShared<RecordsFile>(
      this.file,
      () => ({ format: 1, records: {} }),
      (parsed) =>
        (parsed as RecordsFile)?.format === 1 && typeof (parsed as RecordsFile).records === "object",
      "a Watchpost run records file",
    );
  }

  async put(record: RunRecord): Promise<void> {
    await withFileLock(this.file, async () => {
      const file = await this.read();
      file.records[`${record.location}/${record.shard}`] = record;
      await writeWhole(this.file, `${JSON.stringify(file)}\n`);
    });
  }

  async getMany(location: string, shards: readonly string[]): Promise<RunRecord[]> {
    return this.find(shards.map((shard) => `${location}/${shard}`));
  }

  async getAt(locations: readonly string[], shard: string): Promise<RunRecord[]> {
    return this.find(locations.map((location) => `${location}/${shard}`));
  }

  private async find(keys: string[]): Promise<RunRecord[]> {
    const file = await this.read();
    return keys.flatMap((key) => (file.records[key] ? [file.records[key]] : []));
  }
}
