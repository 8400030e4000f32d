/** Entries in this process's memory, for the demo, `--watch` and tests: copies in, copies out. */
import { ConditionalEntries, type Versioned } from "./entries.js";

export class MemoryEntries<T> extends ConditionalEntries<T> {
  readonly name = "memory";
  private readonly entries = new Map<string, Versioned<T>>();

  async get(key: string): Promise<Versioned<T> | undefined> {
    const entry = this.entries.get(key);
    return entry && structuredClone(entry);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned<T>>> {
    const out = new Map<string, Versioned<T>>();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) out.set(key, structuredClone(entry));
    }
    return out;
  }

  async put(key: string, value: T): Promise<void> {
    this.entries.set(key, { value: structuredClone(value), version: 0 });
  }

  async putIf(key: string, value: T, version: number, expected: number): Promise<boolean> {
    if ((this.entries.get(key)?.version ?? 0) !== expected) return false;
    this.entries.set(key, { value: structuredClone(value), version });
    return true;
  }
}
