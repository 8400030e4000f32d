/** Run records on any backend: one entry per location and shard (`eu-west-1/payments`), replaced whole. */
import type { Entries } from "../store/entries.js";
import type { RunRecord, RunRecords } from "./freshness.js";

export class RunRecordStore implements RunRecords {
  readonly name: string;

  constructor(private readonly entries: Entries<RunRecord>) {
    this.name = entries.name;
  }

  put(record: RunRecord, signal?: AbortSignal): Promise<void> {
    return this.entries.put(`${record.location}/${record.shard}`, record, { signal });
  }

  getMany(location: string, shards: readonly string[], signal?: AbortSignal): Promise<RunRecord[]> {
    return this.find(
      shards.map((shard) => `${location}/${shard}`),
      signal,
    );
  }

  getAt(locations: readonly string[], shard: string, signal?: AbortSignal): Promise<RunRecord[]> {
    return this.find(
      locations.map((location) => `${location}/${shard}`),
      signal,
    );
  }

  private async find(keys: string[], signal?: AbortSignal): Promise<RunRecord[]> {
    const found = await this.entries.getMany(keys, { signal });
    return keys.flatMap((key) => {
      const entry = found.get(key);
      return entry ? [entry.value] : [];
    });
  }
}
