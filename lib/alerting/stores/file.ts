/** Alert state in one JSON file, for the CLI: `.watchpost/state.json` by default. */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AlertState } from "../state-machine.js";
import type { StateStore } from "./store.js";

interface StateFile {
  format: 1;
  checks: Record<string, AlertState>;
}

export class FileStore implements StateStore {
  readonly name: string;

  constructor(private readonly file: string) {
    this.name = `file ${file}`;
  }

  private async read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return { format: 1, checks: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed.format !== 1 || typeof parsed.checks !== "object")
        throw new Error("not a Watchpost state file");
      return parsed;
    } catch (error) {
      throw new Error(
        `${this.file} is not a Watchpost state file (${(error as Error).message}); move it away to start afresh`,
        {
          cause: error,
        },
      );
    }
  }

  async getMany(checks: readonly string[]): Promise<Map<string, AlertState>> {
    const file = await this.read();
    return new Map(
      checks.flatMap((check) => (file.checks[check] ? [[check, file.checks[check]] as const] : [])),
    );
  }

  async put(state: AlertState, expectedVersion: number): Promise<boolean> {
    const file = await this.read();
    if ((file.checks[state.check]?.version ?? 0) !== expectedVersion) return false;
    file.checks[state.check] = state;
    await mkdir(path.dirname(this.file), { recursive: true });
    // Write then rename, so an interrupted run never leaves half a file.
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
    await rename(temporary, this.file);
    return true;
  }
}
