/**
 * The local files of `--state`: the alert state, refused before any check runs when it cannot be
 * used, and what is kept beside it (lib/shared-file.ts names them): the history `run` writes and
 * `slo` and `status` read, heartbeat pings, and the locations' reports.
 */
import path from "node:path";
import { FileStore } from "../alerting/stores/file.js";
import { FileHeartbeats } from "../heartbeat/store-file.js";
import type { HistoryStore } from "../history/store.js";
import { FileHistory } from "../history/store-file.js";
import { FileRunRecords } from "../runtime/run-records-file.js";
import { besideStateFile } from "../shared-file.js";
import { describeFileError, EnvironmentError } from "./context.js";

/** Refuses a state file that cannot be used before any check runs (not after, as a failed delivery). */
export async function verifyStateFile(file: string): Promise<void> {
  try {
    await new FileStore(path.resolve(file)).verify();
  } catch (error) {
    const text = describeFileError(error, "use the state file");
    throw new EnvironmentError(
      text ??
        `cannot use the state file ${file}: ${(error as Error).message.replace(`${path.resolve(file)} `, "it ")}; or name another with --state FILE`,
    );
  }
}

/**
 * History as `run`, `status` and `slo` read it: a day or incidents file of the wrong shape is refused
 * (exit 2) with the file, the entry and what was wrong, never dropped or read as something else.
 */
export async function readHistory(history: HistoryStore, range: { fromDay: string; toDay: string }) {
  try {
    return await history.read(range);
  } catch (error) {
    throw new EnvironmentError(
      describeFileError(error, "read the history") ?? `cannot read the history: ${(error as Error).message}`,
    );
  }
}

/** Refuses history that cannot be read before any check runs. */
export async function verifyHistory(stateFile: string): Promise<void> {
  await readHistory(historyBeside(stateFile), { fromDay: "0000-01-01", toDay: "9999-12-31" });
}

export function historyBeside(stateFile: string): FileHistory {
  return new FileHistory(besideStateFile(path.resolve(stateFile), "history"));
}

export function pingsBeside(stateFile: string): FileHeartbeats {
  return new FileHeartbeats(besideStateFile(path.resolve(stateFile), "pings"));
}

export function reportsBeside(stateFile: string): FileRunRecords {
  return new FileRunRecords(besideStateFile(path.resolve(stateFile), "runs"));
}
