/**
 * A heartbeat check's verdict from its job's pings: late, failed, still running, too short, too
 * small, too often. Every condition that fails makes the check down, each with its own reason.
 */
import type { HeartbeatConfig } from "../probes/config/heartbeat.js";
import type { Condition, HeartbeatFacts, Observation } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { formatWallClock, parseCron, previousFire } from "./cron.js";
import { type HeartbeatRecord, lastLine } from "./record.js";

/** A ping this much before a cron time still counts for it (clocks differ). */
const EARLY_MS = 60_000;

interface Schedule {
  /** The period the job runs at (for cron, between the last two due times). */
  periodMs: number;
  graceMs: number;
  /** `every 1d` or `cron 0 3 * * * (Europe/Berlin)`. */
  describe: string;
  /** The latest time a finish ping was due by (grace included) at or before now, and for which run. */
  missed(record: HeartbeatRecord, now: number): { dueAt: number; runAt: number } | undefined;
}

/** `every 1d` or `on cron 0 3 * * * (Europe/Berlin)`: what the check expects, without computing when. */
export function describeSchedule(cfg: HeartbeatConfig): string {
  if (cfg.every !== undefined) return `every ${formatDuration(Math.max(1_000, cfg.every))}`;
  const zone = cfg.timezone ?? "UTC";
  return `on cron ${(cfg.cron as string).trim()}${zone === "UTC" ? "" : ` (${zone})`}`;
}

export function scheduleOf(cfg: HeartbeatConfig, at: number = Date.now()): Schedule {
  const describe = describeSchedule(cfg);
  if (cfg.every !== undefined) {
    const periodMs = Math.max(1_000, cfg.every);
    const graceMs = cfg.grace ?? defaultGrace(periodMs);
    return {
      periodMs,
      graceMs,
      describe,
      missed(record, now) {
        const since = record.lastFinish?.at ?? record.createdAt;
        const dueAt = since + periodMs + graceMs;
        return now > dueAt ? { dueAt, runAt: since + periodMs } : undefined;
      },
    };
  }
  const cron = parseCron(cfg.cron as string);
  if (typeof cron === "string") throw new Error(cron);
  const zone = cfg.timezone ?? "UTC";
  const last = previousFire(cron, zone, at);
  const before = last === undefined ? undefined : previousFire(cron, zone, last - 1);
  const periodMs = last !== undefined && before !== undefined ? last - before : 86_400_000;
  const graceMs = cfg.grace ?? defaultGrace(periodMs);
  return {
    periodMs,
    graceMs,
    describe,
    missed(record, now) {
      const runAt = previousFire(cron, zone, now - graceMs);
      // A run due before the check existed was not this check's to miss.
      if (runAt === undefined || runAt < record.createdAt) return undefined;
      const finished = record.lastFinish?.at ?? Number.NEGATIVE_INFINITY;
      return finished >= runAt - EARLY_MS ? undefined : { dueAt: runAt + graceMs, runAt };
    },
  };
}

/** A tenth of the period, at least a minute, at most an hour (and never more than the period). */
function defaultGrace(periodMs: number): number {
  return Math.min(periodMs, Math.max(60_000, Math.min(3_600_000, Math.round(periodMs / 10))));
}

export function heartbeatVerdict(cfg: HeartbeatConfig, record: HeartbeatRecord, now: number): Observation {
  const schedule = scheduleOf(cfg, now);
  const expected = `expected ${schedule.describe} (+${formatDuration(schedule.graceMs)} grace)`;
  const conditions: Condition[] = [];
  const fail = (text: string) => conditions.push({ ok: false, effect: "fail", text });
  const finish = record.lastFinish;
  const running =
    record.lastStart !== undefined && record.lastStart > (finish?.at ?? Number.NEGATIVE_INFINITY)
      ? record.lastStart
      : undefined;
  const { maxDuration, minDuration, minSize } = cfg.expect;

  if (finish && !finish.ok) {
    const line = lastLine(finish.log);
    fail(
      `job reported failure${finish.exitCode !== undefined ? ` (exit ${finish.exitCode})` : ""}${line ? `: ${line}` : ""}`,
    );
  }
  if (running !== undefined && maxDuration !== undefined && now - running > maxDuration) {
    fail(
      `started ${formatSpan(now - running)} ago and has not finished (max ${formatDuration(maxDuration)})`,
    );
  }
  const missed = schedule.missed(record, now);
  if (missed) {
    const silence =
      record.lastPingAt === undefined
        ? `no ping since the check was set up ${formatSpan(now - record.createdAt)} ago`
        : `no ping for ${formatSpan(now - record.lastPingAt)}`;
    const due =
      cfg.cron !== undefined ? `, due at ${formatWallClock(missed.runAt, cfg.timezone ?? "UTC")}` : "";
    const still = running !== undefined ? `; started ${formatSpan(now - running)} ago and not finished` : "";
    // A start ping is not the run's end: the silence counted is since the last finish.
    const silenceText =
      running !== undefined && finish !== undefined
        ? `no finished run for ${formatSpan(now - finish.at)}`
        : running !== undefined
          ? `no finished run since the check was set up ${formatSpan(now - record.createdAt)} ago`
          : silence;
    fail(`${silenceText}${due}, ${expected}${still}`);
  }
  if (finish?.ok) {
    if (minDuration !== undefined && finish.durationMs !== undefined && finish.durationMs < minDuration)
      fail(`ran for ${formatSpan(finish.durationMs)}, expected at least ${formatDuration(minDuration)}`);
    if (maxDuration !== undefined && finish.durationMs !== undefined && finish.durationMs > maxDuration)
      fail(`ran for ${formatSpan(finish.durationMs)}, expected at most ${formatDuration(maxDuration)}`);
    if (minSize !== undefined) {
      if (finish.size === undefined)
        fail(`reported no size, expected at least ${humanBytes(minSize)} (ping with size=BYTES)`);
      else if (finish.size < minSize)
        fail(`produced ${humanBytes(finish.size)}, expected at least ${humanBytes(minSize)}`);
    }
  }
  const tooOften = tooOftenText(cfg, schedule, record, now);
  if (tooOften) fail(tooOften);

  const facts = factsOf(record, now);
  if (conditions.length > 0) return { conditions, summary: "", facts: { heartbeat: facts } };
  const summary = summaryOf(record, now, schedule, running);
  return { conditions: [{ ok: true, effect: "fail", text: summary }], summary, facts: { heartbeat: facts } };
}

/** `pinged 3 times in 10m, expected every 1d`, while successes closer than minInterval are recent. */
function tooOftenText(
  cfg: HeartbeatConfig,
  schedule: Schedule,
  record: HeartbeatRecord,
  now: number,
): string | undefined {
  const minInterval = cfg.expect.minInterval ?? Math.floor(schedule.periodMs / 2);
  if (minInterval <= 0) return undefined;
  const recent = record.successes.filter((at) => at > now - schedule.periodMs);
  const close = recent.some((at, i) => i > 0 && at - (recent[i - 1] as number) < minInterval);
  if (!close) return undefined;
  const span = (recent.at(-1) as number) - (recent[0] as number);
  return `pinged ${recent.length} times in ${formatSpan(span)}, expected ${schedule.describe}`;
}

function summaryOf(
  record: HeartbeatRecord,
  now: number,
  schedule: Schedule,
  running: number | undefined,
): string {
  const finish = record.lastFinish;
  if (running !== undefined) return `running: started ${formatSpan(now - running)} ago`;
  if (!finish)
    return `no ping yet; due within ${formatSpan(record.createdAt + schedule.periodMs + schedule.graceMs - now)}`;
  const details = [
    ...(finish.durationMs !== undefined ? [`ran ${formatSpan(finish.durationMs)}`] : []),
    ...(finish.size !== undefined ? [humanBytes(finish.size)] : []),
  ];
  return `last success ${formatSpan(now - finish.at)} ago${details.length ? ` (${details.join(", ")})` : ""}`;
}

function factsOf(record: HeartbeatRecord, now: number): HeartbeatFacts {
  const finish = record.lastFinish;
  return {
    pings: record.pings,
    ...(record.lastPingAt !== undefined
      ? {
          lastPingAt: new Date(record.lastPingAt).toISOString(),
          lastPingAgeSeconds: Math.max(0, Math.round((now - record.lastPingAt) / 1000)),
        }
      : {}),
    ...(finish?.ok ? { lastSuccessAt: new Date(finish.at).toISOString() } : {}),
    ...(finish?.durationMs !== undefined ? { durationSeconds: finish.durationMs / 1000 } : {}),
    ...(finish?.size !== undefined ? { sizeBytes: finish.size } : {}),
    ...(finish?.exitCode !== undefined ? { exitCode: finish.exitCode } : {}),
    ...(finish && !finish.ok && finish.log ? { log: finish.log } : {}),
  };
}

/** `0 B`, `812 KiB`, `1.2 MiB`: a size people read at a glance. */
export function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text =
    unit === 0 || value >= 10 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}
