/**
 * Alert state in one JSON file, for the CLI: `.watchpost/state.json` by default. Every write takes a
 * lock file beside it (`state.json.lock`), so runs in several processes that share the file never
 * lose each other's updates: the version check and the write happen under the lock.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { readShared, withFileLock, writeWhole } from "../../shared-file.js";
import type { AlertState } from "../state-machine.js";
import type { StateStore } from "./store.js";

interface StateFile {
  format: 1;
  checks: Record<string, AlertState>;
}

export class FileStore implements StateStore {
  readonly name: string;
  /** A run's writes all at once: they go in one batch, one read and one rewrite of the file. */
  readonly writesInFlight = Number.POSITIVE_INFINITY;
  /** Writes asked for and not yet done; the one flush loop that does them. */
  private pending: {
    state: AlertState;
    expectedVersion: number;
    resolve: (written: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly file: string) {
    this.name = `file ${file}`;
  }

  private read(): Promise<StateFile> {
    return readShared<StateFile>(
      this.file,
      () => ({ format: 1, checks: {} }),
      (parsed) => (parsed as StateFile)?.format === 1 && typeof (parsed as StateFile).checks === "object",
      "a Watchpost state file",
    );
  }

  /**
   * Before a run: the file can be read (or does not exist yet) and its folder can be made. Throws
   * what is wrong, so a command can refuse before probing instead of after.
   */
  async verify(): Promise<void> {
    await this.read();
    await mkdir(path.dirname(this.file), { recursive: true });
  }

  async getMany(checks: readonly string[]): Promise<Map<string, AlertState>> {
    const file = await this.read();
    return new Map(
      checks.flatMap((check) => (file.checks[check] ? [[check, file.checks[check]] as const] : [])),
    );
  }

  /**
   * Writes waiting while another write is under way go together: one read, one compare per check
   * (in the order asked), one rewrite of the file, under one lock. A run's many checks cost a few
   * rewrites, not one each (the file is rewritten whole: per-check writes made a run quadratic).
   */
  put(state: AlertState, expectedVersion: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ state, expectedVersion, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const written = await withFileLock(this.file, async () => {
          const file = await this.read();
          const outcomes = batch.map(({ state, expectedVersion }) => {
            if ((file.checks[state.check]?.version ?? 0) !== expectedVersion) return false;
            file.checks[state.check] = state;
            return true;
          });
          if (outcomes.some(Boolean)) await writeWhole(this.file, `${JSON.stringify(file, null, 2)}\n`);
          return outcomes;
        });
        for (const [index, write] of batch.entries()) write.resolve(written[index] as boolean);
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    this.flushing = undefined;
  }
}
