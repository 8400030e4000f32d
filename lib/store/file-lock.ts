/**
 * The lock of a file several local processes share: `<file>.lock`, created exclusively, held while
 * one change is made. Another process's lock is waited for (lib/retry.ts LOCK_WAIT); one older than
 * STALE_LOCK_MS was left by a process that died holding it and is taken over.
 */
import { mkdir, open, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { pause } from "../deadline.js";
import { backoffDelay, LOCK_WAIT } from "../retry.js";

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;

/** Runs `work` holding `<file>.lock`. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let retry = 0; ; retry++) {
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
      else if (Date.now() - started > LOCK_WAIT.maxMs)
        throw new Error(`${lock} has been held by another process for over ${LOCK_WAIT.maxMs / 1000}s`);
      else await pause(backoffDelay(retry, LOCK_WAIT.backoff));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
