/**
 * A file that several local processes share (the CLI's state file, the locations' reports): each
 * change is made holding `<file>.lock`, created exclusively, and written whole through a temporary
 * file and a rename, so no writer loses another's update and no reader sees half a file. Read as
 * JSON of one known format; anything else is named, with the way out.
 */
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * What is kept beside the CLI's state file, one list: `.watchpost/state.json` →
 * `.watchpost/state.runs.json` (locations' reports), `state.pings.json` (heartbeat pings) and the
 * folder `state.history/` (history, a file a day).
 */
export const BESIDE_STATE = { runs: ".json", pings: ".json", history: "" } as const;

export function besideStateFile(stateFile: string, kind: keyof typeof BESIDE_STATE): string {
  const base = stateFile.endsWith(".json") ? stateFile.slice(0, -5) : stateFile;
  return `${base}.${kind}${BESIDE_STATE[kind]}`;
}

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;
/** Longest wait for another process's lock. */
const LOCK_WAIT_MS = 20_000;

/** Runs `work` holding `<file>.lock`; a stale lock is taken over. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => undefined);
      else if (Date.now() - started > LOCK_WAIT_MS)
        throw new Error(`${lock} has been held by another process for over ${LOCK_WAIT_MS / 1000}s`);
      else await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random())));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Write then rename, so an interrupted process never leaves half a file. */
export async function writeWhole(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * The file's JSON, or `empty` when there is no file yet; `valid` says whether it is the format
 * expected, `what` names that format in the error (`a Watchpost state file`).
 */
export async function readShared<T>(
  file: string,
  empty: () => T,
  valid: (parsed: unknown) => boolean,
  what: string,
): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return empty();
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!valid(parsed)) throw new Error(`not ${what}`);
    return parsed as T;
  } catch (error) {
    throw new Error(`${file} is not ${what} (${(error as Error).message}); move it away to start afresh`, {
      cause: error,
    });
  }
}
