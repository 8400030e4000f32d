/**
 * The one shape of Watchpost's stores (alert state, heartbeat pings, history, run records): entries
 * under keys, kept by a backend (a file local processes share, the state table, memory) that reads
 * them, replaces them, and changes one without losing another writer's change. Each store is a thin
 * typed layer on it; each backend reads an entry from storage in one place (its kind's codec).
 */
import { CONFLICT_ATTEMPTS } from "../retry.js";

/** An entry as stored, with the version its conditional writes compare (0: none stored). */
export interface Versioned<T> {
  value: T;
  version: number;
}

export interface CallOptions {
  /** Aborted when the run must end: every request takes it. */
  signal?: AbortSignal;
}

/** What a change decided: the value to store (none: leave the entry as it is) and what to answer. */
export interface Decision<T, R> {
  write?: T;
  result: R;
}

/**
 * Decides from the stored value (undefined: none); may be asked again after another writer's change.
 * It must not wait on its own store: a file's changes are decided under the file's lock.
 */
export type Change<T, R> = (current: T | undefined) => Decision<T, R> | Promise<Decision<T, R>>;

export interface UpdateOptions<T> extends CallOptions {
  /** The entry as the caller last read it (`null`: none stored): decided from before reading again. */
  known?: Versioned<T> | null;
  /** Told each time another writer came first (the change is then decided again). */
  onConflict?: () => void;
}

export interface Entries<T> {
  readonly name: string;
  /** One entry, read consistently. */
  get(key: string, options?: CallOptions): Promise<Versioned<T> | undefined>;
  /** The entries under these keys that exist. */
  getMany(keys: readonly string[], options?: CallOptions): Promise<Map<string, Versioned<T>>>;
  /** Stores `value` whatever is stored (its version is not kept). */
  put(key: string, value: T, options?: CallOptions): Promise<void>;
  /** Reads, decides and writes, never losing a change another writer made in between. */
  update<R>(key: string, change: Change<T, R>, options?: UpdateOptions<T>): Promise<R>;
}

/** Entries whose writes can also be decided outside the store and made conditional on a version. */
export interface VersionedEntries<T> extends Entries<T> {
  /** Stores `value` as `version` if the stored version is still `expected` (0: none); false if not. */
  putIf(key: string, value: T, version: number, expected: number, options?: CallOptions): Promise<boolean>;
}

/** Another writer changed the entry every time it was decided. */
export class VersionConflict extends Error {
  override name = "VersionConflict";
  constructor(key: string) {
    super(`${key} changed under ${CONFLICT_ATTEMPTS} writes in a row; try again`);
  }
}

/**
 * An update where the backend has no lock: decide from the entry as read, write conditionally on
 * its version, and on conflict read again and decide again, at most CONFLICT_ATTEMPTS times.
 */
export async function updateVersioned<T, R>(
  key: string,
  io: {
    read(): Promise<Versioned<T> | undefined>;
    write(value: T, version: number, expected: number): Promise<boolean>;
  },
  change: Change<T, R>,
  options: UpdateOptions<T> = {},
): Promise<R> {
  let current = options.known === undefined ? await io.read() : (options.known ?? undefined);
  for (let attempt = 1; ; attempt++) {
    const version = current?.version ?? 0;
    const { write, result } = await change(current?.value);
    if (write === undefined || (await io.write(write, version + 1, version))) return result;
    options.onConflict?.();
    if (attempt >= CONFLICT_ATTEMPTS) throw new VersionConflict(key);
    current = await io.read();
  }
}

/** A backend without a lock (the state table, memory): its updates are conditional writes, retried. */
export abstract class ConditionalEntries<T> implements VersionedEntries<T> {
  abstract readonly name: string;
  abstract get(key: string, options?: CallOptions): Promise<Versioned<T> | undefined>;
  abstract getMany(keys: readonly string[], options?: CallOptions): Promise<Map<string, Versioned<T>>>;
  abstract put(key: string, value: T, options?: CallOptions): Promise<void>;
  abstract putIf(
    key: string,
    value: T,
    version: number,
    expected: number,
    options?: CallOptions,
  ): Promise<boolean>;

  update<R>(key: string, change: Change<T, R>, options: UpdateOptions<T> = {}): Promise<R> {
    return updateVersioned(
      key,
      {
        read: () => this.get(key, options),
        write: (value, version, expected) => this.putIf(key, value, version, expected, options),
      },
      change,
      options,
    );
  }
}
