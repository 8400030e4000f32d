/**
 * The lock of a file several local processes share: `<file>.lock`, created exclusively, held while
 * one change is made. It records its owner (`{"pid","host","start","deadline"}`): another process's
 * lock is waited for (lib/retry.ts LOCK_WAIT) while its owner lives and its deadline is ahead; a lock
 * whose owner is gone (same host, no such process) or whose deadline has passed is taken over at
 * once. Taking over is itself exclusive (`<file>.lock.break`), and removes only the lock that was
 * judged dead, never one another process has just taken.
 */
import { mkdir, open, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pause } from "../deadline.js";
import { deadHere, HOST } from "../local-process.js";
import { backoffDelay, LOCK_WAIT } from "../retry.js";

/** How long one change may hold the lock: a read, a decision and a rewrite of one file. */
const HOLD_MS = 30_000;
/** A lock with no owner written this long after it was made was left by a process that died making it. */
const UNWRITTEN_MS = 2_000;
/** A break left this long was left by a process that died breaking. */
const BREAK_MS = 5_000;

export interface LockOwner {
  pid: number;
  host: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms after which the lock is anyone's. */
  deadline: number;
}

/** Runs `work` holding `<file>.lock`. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let retry = 0; ; retry++) {
    try {
      const handle = await open(lock, "wx");
      const now = Date.now();
      const owner: LockOwner = { pid: process.pid, host: HOST, start: now, deadline: now + HOLD_MS };
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const held = await readFile(lock, "utf8").catch(() => undefined);
      if (held !== undefined && (await abandoned(lock, held))) {
        await takeOver(lock, held);
        continue;
      }
      if (Date.now() - started > LOCK_WAIT.maxMs)
        throw new Error(`${lock} has been held by ${describe(held)} for over ${LOCK_WAIT.maxMs / 1000}s`);
      await pause(backoffDelay(retry, LOCK_WAIT.backoff));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function ownerOf(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    return typeof owner?.pid === "number" &&
      typeof owner.host === "string" &&
      typeof owner.deadline === "number"
      ? (owner as LockOwner)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock as read is nobody's any more: its owner died, its deadline passed, or it was never written. */
async function abandoned(lock: string, held: string): Promise<boolean> {
  const owner = ownerOf(held);
  if (owner) return owner.deadline < Date.now() || deadHere(owner.host, owner.pid);
  // No owner recorded (being written, or an older Watchpost's): judged by its age.
  const age = await stat(lock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return age > (held.trim() === "" ? UNWRITTEN_MS : HOLD_MS);
}

/** Removes the lock if it still is the one judged dead; one process at a time. */
async function takeOver(lock: string, judged: string): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    await writeFile(breaker, `${process.pid}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
    const age = await stat(breaker).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > BREAK_MS) await unlink(breaker).catch(() => undefined);
    else await pause(20);
    return;
  }
  try {
    if ((await readFile(lock, "utf8").catch(() => undefined)) === judged)
      await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

function describe(held: string | undefined): string {
  const owner = held === undefined ? undefined : ownerOf(held);
  return owner ? `process ${owner.pid} on ${owner.host}` : "another process";
}
