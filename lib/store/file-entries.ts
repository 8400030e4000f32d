/**
 * Entries in one file that several local processes share (`{"format":1,"checks":{…}}`): read
 * without the lock (the file is only ever replaced whole), changed under it, so no process loses
 * another's change. Changes asked for while another is under way go together: one lock, one read,
 * each change decided in the order asked, one rewrite. A run's many checks cost a few rewrites, not
 * one each (the file is rewritten whole: a write per entry made a run quadratic).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Change, Entries, Versioned, VersionedEntries } from "./entries.js";
import { type DocumentKind, readDocument, writeDocument } from "./file-document.js";
import { withFileLock } from "./file-lock.js";

export interface FileEntriesOptions<T> {
  file: string;
  kind: DocumentKind<Record<string, T>>;
  /** Indented, for a file people read (the state file). */
  pretty?: boolean;
}

interface Pending {
  key: string;
  change: Change<unknown, unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

export class FileEntries<T> implements Entries<T> {
  readonly name: string;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(protected readonly options: FileEntriesOptions<T>) {
    this.name = `file ${options.file}`;
  }

  private read(): Promise<Record<string, T>> {
    return readDocument(this.options.file, this.options.kind);
  }

  /** The version of a stored value: a file keeps none of its own (see VersionedFileEntries). */
  protected versionOf(_value: T): number {
    return 0;
  }

  /** Where an entry is read from the file (its document is read by readDocument). */
  private entry(entries: Record<string, T>, key: string): Versioned<T> | undefined {
    if (!Object.hasOwn(entries, key)) return undefined;
    const value = entries[key] as T;
    return { value, version: this.versionOf(value) };
  }

  /**
   * Before a run: the file can be read (or does not exist yet) and its folder can be made. Throws
   * what is wrong, so a command can refuse before probing instead of after.
   */
  async verify(): Promise<void> {
    await this.read();
    await mkdir(path.dirname(this.options.file), { recursive: true });
  }

  async get(key: string): Promise<Versioned<T> | undefined> {
    return this.entry(await this.read(), key);
  }

  /** Every entry, as the file holds them now. */
  all(): Promise<Record<string, T>> {
    return this.read();
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned<T>>> {
    const entries = await this.read();
    const out = new Map<string, Versioned<T>>();
    for (const key of keys) {
      const entry = this.entry(entries, key);
      if (entry) out.set(key, entry);
    }
    return out;
  }

  put(key: string, value: T): Promise<void> {
    return this.update(key, () => ({ write: value, result: undefined }));
  }

  /** Decided under the lock, from the file as it is then: another writer can never come in between. */
  update<R>(key: string, change: Change<T, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({
        key,
        change: change as Change<unknown, unknown>,
        resolve: resolve as (result: unknown) => void,
        reject,
      });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const outcomes = await withFileLock(this.options.file, async () => {
          const entries = await this.read();
          let changed = false;
          const decided: ({ result: unknown } | { error: unknown })[] = [];
          for (const { key, change } of batch) {
            try {
              const decision = change(this.entry(entries, key)?.value);
              // Most changes decide at once: a run's thousands of them wait for no turn of the loop.
              const { write, result } = decision instanceof Promise ? await decision : decision;
              if (write !== undefined) {
                entries[key] = write as T;
                changed = true;
              }
              decided.push({ result });
            } catch (error) {
              decided.push({ error });
            }
          }
          if (changed)
            await writeDocument(this.options.file, this.options.kind, entries, {
              pretty: this.options.pretty ?? false,
            });
          return decided;
        });
        for (const [index, { resolve, reject }] of batch.entries()) {
          const outcome = outcomes[index] as { result: unknown } | { error: unknown };
          if ("error" in outcome) reject(outcome.error);
          else resolve(outcome.result);
        }
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    this.flushing = undefined;
  }
}

/**
 * Entries that carry their version in themselves (alert state's `version`), so a write decided
 * outside the lock can be made conditional on it.
 */
export class VersionedFileEntries<T> extends FileEntries<T> implements VersionedEntries<T> {
  constructor(
    options: FileEntriesOptions<T>,
    private readonly version: (value: T) => number,
  ) {
    super(options);
  }

  protected override versionOf(value: T): number {
    return this.version(value);
  }

  /** `value` carries `version` itself: the file stores nothing beside it. */
  putIf(key: string, value: T, _version: number, expected: number): Promise<boolean> {
    return this.update(key, (current) =>
      (current === undefined ? 0 : this.version(current)) === expected
        ? { write: value, result: true }
        : { result: false },
    );
  }
}
