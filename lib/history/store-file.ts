/**
 * History in a folder beside the state file (`state.json` → `state.history/`): one file per day
 * (`days/2026-11-22.json`), the incidents and each check's latest result in files of their own. A
 * run rewrites only the day it ran on (and the latest results), so a run costs the same on the
 * first day and the four hundredth; every change is made under the folder's lock. Days past the
 * retention are deleted, and a day that has aged past the burn-rate windows loses its slots.
 */
import { mkdir, readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { readShared, withFileLock, writeWhole } from "../shared-file.js";
import { addTransitions } from "./incidents.js";
import {
  addResult,
  type CheckDay,
  compact,
  DAY_MS,
  dayOf,
  type History,
  type Incident,
  type Latest,
  RETAIN_DAYS,
  SLOT_DAYS,
} from "./model.js";
import type { HistoryBatch, HistoryStore } from "./store.js";

interface DayFile {
  format: 1;
  checks: Record<string, CheckDay>;
}
interface IncidentsFile {
  format: 1;
  incidents: Incident[];
}
interface LatestFile {
  format: 1;
  latest: Record<string, Latest>;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

export class FileHistory implements HistoryStore {
  readonly name: string;
  /** Days this process has already compacted (their slots dropped). */
  private readonly compacted = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly retainDays = RETAIN_DAYS,
  ) {
    this.name = `folder ${dir}`;
  }

  private dayFile(day: string): string {
    return path.join(this.dir, "days", `${day}.json`);
  }

  private readDay(day: string): Promise<DayFile> {
    return readShared<DayFile>(
      this.dayFile(day),
      () => ({ format: 1, checks: {} }),
      (p) => (p as DayFile)?.format === 1 && typeof (p as DayFile).checks === "object",
      "a Watchpost history day",
    );
  }

  private readIncidents(): Promise<IncidentsFile> {
    return readShared<IncidentsFile>(
      path.join(this.dir, "incidents.json"),
      () => ({ format: 1, incidents: [] }),
      (p) => (p as IncidentsFile)?.format === 1 && Array.isArray((p as IncidentsFile).incidents),
      "a Watchpost incidents file",
    );
  }

  private readLatest(): Promise<LatestFile> {
    return readShared<LatestFile>(
      path.join(this.dir, "latest.json"),
      () => ({ format: 1, latest: {} }),
      (p) => (p as LatestFile)?.format === 1 && typeof (p as LatestFile).latest === "object",
      "a Watchpost latest-results file",
    );
  }

  private write(file: string, value: unknown): Promise<void> {
    return writeWhole(path.join(this.dir, file), `${JSON.stringify(value)}\n`);
  }

  async record(batch: HistoryBatch): Promise<void> {
    await mkdir(path.join(this.dir, "days"), { recursive: true });
    await withFileLock(path.join(this.dir, "history"), async () => {
      const days = [
        ...new Set(batch.entries.filter((e) => e.status !== "skipped").map((e) => e.startedAt.slice(0, 10))),
      ];
      const latest = await this.readLatest();
      for (const day of days) {
        const file = await this.readDay(day);
        const history: History = { days: { [day]: file.checks }, incidents: [], latest: latest.latest };
        for (const entry of batch.entries)
          if (entry.startedAt.startsWith(day)) addResult(history, entry, entry.intervalMs, entry.slowMs);
        await this.write(path.join("days", `${day}.json`), { format: 1, checks: history.days[day] ?? {} });
      }
      if (days.length > 0) await this.write("latest.json", latest);
      if (batch.transitions.length > 0) {
        const incidents = await this.readIncidents();
        const history: History = { days: {}, incidents: incidents.incidents };
        addTransitions(history, batch.transitions);
        compact(history, batch.now, this.retainDays);
        await this.write("incidents.json", { format: 1, incidents: history.incidents });
      }
      await this.age(batch.now);
    });
  }

  /** Deletes days past the retention; drops the slots of the days that just left the burn windows. */
  private async age(now: number): Promise<void> {
    const oldest = dayOf(now - this.retainDays * DAY_MS);
    const slotsFrom = dayOf(now - SLOT_DAYS * DAY_MS);
    const names = await readdir(path.join(this.dir, "days")).catch(() => [] as string[]);
    for (const name of names) {
      const day = DAY_FILE.exec(name)?.[1];
      if (!day) continue;
      if (day < oldest) await unlink(this.dayFile(day)).catch(() => undefined);
      else if (day < slotsFrom && day >= dayOf(now - (SLOT_DAYS + 3) * DAY_MS) && !this.compacted.has(day)) {
        const file = await this.readDay(day);
        if (Object.values(file.checks).some((entry) => entry.slots)) {
          for (const entry of Object.values(file.checks)) delete entry.slots;
          await this.write(path.join("days", name), file);
        }
        this.compacted.add(day);
      }
    }
  }

  /** Writes a whole history (an import, a seeded test), replacing what the folder held. */
  async save(history: History): Promise<void> {
    await mkdir(path.join(this.dir, "days"), { recursive: true });
    await withFileLock(path.join(this.dir, "history"), async () => {
      for (const [day, checks] of Object.entries(history.days))
        await this.write(path.join("days", `${day}.json`), { format: 1, checks });
      await this.write("incidents.json", { format: 1, incidents: history.incidents });
      await this.write("latest.json", { format: 1, latest: history.latest ?? {} });
    });
  }

  async read(range: { fromDay: string; toDay: string }): Promise<History> {
    const names = await readdir(path.join(this.dir, "days")).catch(() => [] as string[]);
    const days: History["days"] = {};
    for (const name of names.sort()) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day && day >= range.fromDay && day <= range.toDay) days[day] = (await this.readDay(day)).checks;
    }
    const [incidents, latest] = await Promise.all([this.readIncidents(), this.readLatest()]);
    return { days, incidents: incidents.incidents, latest: latest.latest };
  }
}
