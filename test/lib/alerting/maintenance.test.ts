import { describe, expect, it } from "vitest";
import { activeWindow } from "../../../lib/alerting/maintenance.js";
import { maintenanceWindow } from "../../../lib/alerting/maintenance-window.js";
import { formatDiagnostic } from "../../../lib/checks/diagnostics.js";
import { parseCheckFile } from "../../../lib/checks/load.js";

const window = (w: Record<string, unknown>) => maintenanceWindow.parse(w);

describe("maintenance windows", () => {
  it("covers a one-off window from start up to, not including, end", () => {
    const w = [window({ start: "2026-12-24T18:00:00Z", end: "2026-12-24T20:00:00+00:00" })];
    expect(activeWindow(w, new Date("2026-12-24T17:59:59Z"))).toBeUndefined();
    expect(activeWindow(w, new Date("2026-12-24T18:00:00Z"))).toBe(w[0]);
    expect(activeWindow(w, new Date("2026-12-24T20:00:00Z"))).toBeUndefined();
  });

  it("recurs on the given days at a local time, across midnight and in a time zone", () => {
    // Saturdays 23:30 for 2h, Berlin time (UTC+1 in winter): 22:30Z Saturday to 00:30Z Sunday.
    const w = [window({ days: ["sat"], at: "23:30", duration: "2h", timeZone: "Europe/Berlin" })];
    expect(activeWindow(w, new Date("2026-11-28T22:29:00Z"))).toBeUndefined();
    expect(activeWindow(w, new Date("2026-11-28T22:30:00Z"))).toBe(w[0]);
    expect(activeWindow(w, new Date("2026-11-29T00:29:00Z"))).toBe(w[0]);
    expect(activeWindow(w, new Date("2026-11-29T00:30:00Z"))).toBeUndefined();
    // Not on Fridays.
    expect(activeWindow(w, new Date("2026-11-27T22:45:00Z"))).toBeUndefined();
  });

  it("defaults to UTC", () => {
    const w = [window({ days: ["mon", "tue", "wed", "thu", "fri"], at: "02:00", duration: "30m" })];
    expect(activeWindow(w, new Date("2026-11-23T02:15:00Z"))).toBe(w[0]);
    expect(activeWindow(w, new Date("2026-11-22T02:15:00Z"))).toBeUndefined();
  });

  it("explains a window that is neither kind, or both", () => {
    const diagnostics = parseCheckFile(
      "m.yml",
      `defaults:
  maintenance:
    - { start: 2026-12-24T18:00:00Z }
    - { days: [sat], at: "25:00", duration: 1h }
    - { start: 2026-12-24T18:00:00Z, end: 2026-12-24T17:00:00Z }
    - { days: [sat], at: "02:00", duration: 1h, timeZone: Mars/Olympus }
    - { days: [someday], at: "02:00", duration: 1h }
checks:
  - name: x
    tcp: { host: a, port: 1 }
`,
      "/",
    ).diagnostics.map(formatDiagnostic);
    expect(diagnostics).toEqual([
      "m.yml:3:7: defaults.maintenance[0]: expected both start and end, found only start",
      'm.yml:4:26: defaults.maintenance[1].at: expected a time of day such as 02:30, found "25:00"',
      'm.yml:5:43: defaults.maintenance[2].end: expected an end after the start, found "2026-12-24T17:00:00Z"',
      'm.yml:6:59: defaults.maintenance[3].timeZone: expected an IANA time zone such as Europe/Berlin or UTC, found "Mars/Olympus"',
      'm.yml:7:16: defaults.maintenance[4].days[0]: expected one of mon, tue, wed, thu, fri, sat, sun, found "someday"',
    ]);
  });
});
