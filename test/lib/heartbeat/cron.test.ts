import { describe, expect, it } from "vitest";
import { formatWallClock, isTimeZone, parseCron, previousFire } from "../../../lib/heartbeat/cron.js";

const cron = (text: string) => {
  const parsed = parseCron(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("cron schedules", () => {
  it("finds the latest due time, in UTC and in a zone with summer time", () => {
    expect(iso(previousFire(cron("0 3 * * *"), "UTC", at("2026-11-22T10:00:00Z")))).toBe(
      "2026-11-22T03:00:00.000Z",
    );
    expect(iso(previousFire(cron("0 3 * * *"), "UTC", at("2026-11-22T02:59:59Z")))).toBe(
      "2026-11-21T03:00:00.000Z",
    );
    // 03:00 in Berlin is 02:00 UTC in winter, 01:00 UTC in summer.
    expect(iso(previousFire(cron("0 3 * * *"), "Europe/Berlin", at("2026-11-22T10:00:00Z")))).toBe(
      "2026-11-22T02:00:00.000Z",
    );
    expect(iso(previousFire(cron("0 3 * * *"), "Europe/Berlin", at("2026-07-01T10:00:00Z")))).toBe(
      "2026-07-01T01:00:00.000Z",
    );
    expect(formatWallClock(at("2026-07-01T01:00:00Z"), "Europe/Berlin")).toBe(
      "2026-07-01 03:00 Europe/Berlin",
    );
  });

  it("reads steps, ranges, lists, names and shorthands; either day field matches when both are given", () => {
    // Weekdays at 18:30: Sunday 2026-11-22 → Friday 2026-11-20.
    expect(iso(previousFire(cron("30 18 * * mon-fri"), "UTC", at("2026-11-22T12:00:00Z")))).toBe(
      "2026-11-20T18:30:00.000Z",
    );
    expect(iso(previousFire(cron("*/15 * * * *"), "UTC", at("2026-11-22T12:44:00Z")))).toBe(
      "2026-11-22T12:30:00.000Z",
    );
    expect(iso(previousFire(cron("@monthly"), "UTC", at("2026-11-22T12:00:00Z")))).toBe(
      "2026-11-01T00:00:00.000Z",
    );
    // The 1st of the month or any Monday: Monday 2026-11-16 is later than 2026-11-01.
    expect(iso(previousFire(cron("0 0 1 * 1"), "UTC", at("2026-11-22T12:00:00Z")))).toBe(
      "2026-11-16T00:00:00.000Z",
    );
    expect(iso(previousFire(cron("0 12 29 feb *"), "UTC", at("2026-11-22T12:00:00Z")))).toBe(
      "2024-02-29T12:00:00.000Z",
    );
    expect(iso(previousFire(cron("0 0 * * 7"), "UTC", at("2026-11-22T12:00:00Z")))).toBe(
      "2026-11-22T00:00:00.000Z",
    );
  });

  it("says what is wrong with an expression, and knows time zones", () => {
    expect(parseCron("0 3 * *")).toMatch(/five fields .* found 4/);
    expect(parseCron("61 3 * * *")).toBe(
      'a cron expression whose minute field expects values from 0 to 59, found "61"',
    );
    expect(parseCron("0 3 * * */0")).toMatch(/day of week field has a step/);
    expect(parseCron("0 3 * foo *")).toMatch(/month field expects values from 1 to 12 or names, found "foo"/);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
