/**
 * What a heartbeat check remembers of its job's pings, and how one ping changes it. The same record
 * is kept in the state table (deployed) and beside the state file (locally); the check's verdict is
 * taken from it on the check's schedule (lib/heartbeat/verdict.ts).
 */
import { clip } from "../text.js";

export const PING_KINDS = ["success", "start", "fail"] as const;
export type PingKind = (typeof PING_KINDS)[number];

/** The tail of a ping's body kept as the job's log: quoted in the notification. */
export const LOG_TAIL_BYTES = 4_096;
/** Recent successes kept, to tell a job that runs too often. */
const RECENT_SUCCESSES = 10;

export interface Ping {
  kind: PingKind;
  /** Epoch ms when the endpoint received it. */
  at: number;
  /** The job's exit code (`/fail` without one: undefined). */
  exitCode?: number;
  /** Bytes the job reported producing (`size=`). */
  size?: number;
  /** The body, as sent: its tail is kept. */
  body?: string;
}

export interface Finish {
  at: number;
  ok: boolean;
  exitCode?: number;
  size?: number;
  /** From the run's start ping, when it sent one. */
  durationMs?: number;
  /** The last LOG_TAIL_BYTES of the body. */
  log?: string;
}

export interface HeartbeatRecord {
  /** When the check was first seen (first evaluated or pinged): silence is counted from here. */
  createdAt: number;
  /** The latest start ping. */
  lastStart?: number;
  /** The latest success or failure. */
  lastFinish?: Finish;
  /** Times of the latest successes, oldest first. */
  successes: number[];
  /** Pings recorded, all kinds. */
  pings: number;
  /** The latest ping of any kind. */
  lastPingAt?: number;
}

export function emptyRecord(now: number): HeartbeatRecord {
  return { createdAt: now, successes: [], pings: 0 };
}

/** The record after `ping`; the input is not changed. */
export function applyPing(record: HeartbeatRecord | undefined, ping: Ping): HeartbeatRecord {
  const before = record ?? emptyRecord(ping.at);
  const next: HeartbeatRecord = {
    ...before,
    successes: [...before.successes],
    pings: before.pings + 1,
    lastPingAt: ping.at,
  };
  if (ping.kind === "start") {
    next.lastStart = ping.at;
    return next;
  }
  // A start belongs to this run when it came after the previous finish.
  const started =
    before.lastStart !== undefined && before.lastStart >= (before.lastFinish?.at ?? Number.NEGATIVE_INFINITY)
      ? before.lastStart
      : undefined;
  const log = ping.body ? logTail(ping.body) : undefined;
  next.lastFinish = {
    at: ping.at,
    ok: ping.kind === "success",
    ...(ping.exitCode !== undefined ? { exitCode: ping.exitCode } : {}),
    ...(ping.size !== undefined ? { size: ping.size } : {}),
    ...(started !== undefined ? { durationMs: ping.at - started } : {}),
    ...(log ? { log } : {}),
  };
  if (ping.kind === "success") next.successes = [...before.successes, ping.at].slice(-RECENT_SUCCESSES);
  return next;
}

/** The last LOG_TAIL_BYTES of a body, cut at a character boundary. */
export function logTail(body: string): string {
  const bytes = Buffer.from(body, "utf8");
  if (bytes.length <= LOG_TAIL_BYTES) return body.trimEnd();
  let start = bytes.length - LOG_TAIL_BYTES;
  // Skip continuation bytes so the tail starts on a whole character.
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8").trimEnd();
}

/** The last non-empty line of a log, at most 200 characters. */
export function lastLine(log: string | undefined): string | undefined {
  const line = log
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  if (!line) return undefined;
  return clip(line, 200);
}
