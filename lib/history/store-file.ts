/**
 * History in a folder beside the state file (`state.json` → `state.history/`): one file per day
 * (`days/2026-11-22.json`), the incidents and each check's latest result in files of their own. A
 * run rewrites only the day it ran on (and the latest results), so a run costs the same on the
 * first day and the four hundredth; every change is made under the folder's lock. Days past the
 * retention are deleted, and a day that has aged past the burn-rate windows loses its slots.
 */
import { mkdir, readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { type DocumentKind, entriesDocument, readDocument, writeDocument } from "../store/file-document.js";
import { withFileLock } from "../store/file-lock.js";
import { listOf } from "../store/shape.js";
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
import { checkDayShape, incidentShape, latestShape } from "./shape.js";
import type { HistoryBatch, HistoryStore } from "./store.js";

const DAY = entriesDocument<CheckDay>("a Watchpost history day", "checks", checkDayShape);
const INCIDENTS: DocumentKind<Incident[]> = {
  what: "a Watchpost incidents file",
  section: "incidents",
  empty: () => [],
  valid: Array.isArray,
  problem: (incidents) => {
    const problem = listOf(incidentShape)(incidents);
    return problem && `incident ${problem.replace(/^\[(\d+)\](?:\.|: )?/, "$1: ")}`;
  },
};
const LATEST = entriesDocument<Latest>("a Watchpost latest-results file", "latest", latestShape);

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;
const dayFile = (day: string) => path.join("days", `${day}.json`);

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

  private document<S>(name: string, kind: DocumentKind<S>): Promise<S> {
    return readDocument(path.join(this.dir, name), kind);
  }

  private write<S>(name: string, kind: DocumentKind<S>, section: S): Promise<void> {
    return writeDocument(path.join(this.dir, name), kind, section);
  }

  async record(batch: HistoryBatch): Promise<void> {
    await mkdir(path.join(this.dir, "days"), { recursive: true });
    await withFileLock(path.join(this.dir, "history"), async () => {
      const days = [
        ...new Set(batch.entries.filter((e) => e.status !== "skipped").map((e) => e.startedAt.slice(0, 10))),
      ];
      const latest = await this.document("latest.json", LATEST);
      for (const day of days) {
        const checks = await this.document(dayFile(day), DAY);
        const history: History = { days: { [day]: checks }, incidents: [], latest };
        for (const entry of batch.entries)
          if (entry.startedAt.startsWith(day)) addResult(history, entry, entry.intervalMs, entry.slowMs);
        await this.write(dayFile(day), DAY, history.days[day] ?? {});
      }
      if (days.length > 0) await this.write("latest.json", LATEST, latest);
      if (batch.transitions.length > 0) {
        const history: History = {
          days: {},
          incidents: await this.document("incidents.json", INCIDENTS),
        };
        addTransitions(history, batch.transitions);
        compact(history, batch.now, this.retainDays);
        await this.write("incidents.json", INCIDENTS, history.incidents);
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
      if (day < oldest) await unlink(path.join(this.dir, dayFile(day))).catch(() => undefined);
      else if (day < slotsFrom && day >= dayOf(now - (SLOT_DAYS + 3) * DAY_MS) && !this.compacted.has(day)) {
        const checks = await this.document(dayFile(day), DAY);
        if (Object.values(checks).some((entry) => entry.slots)) {
          for (const entry of Object.values(checks)) delete entry.slots;
          await this.write(dayFile(day), DAY, checks);
        }
        this.compacted.add(day);
      }
    }
  }

  /** Writes a whole history (an import, a seeded test), replacing what the folder held. */
  async save(history: History): Promise<void> {
    await mkdir(path.join(this.dir, "days"), { recursive: true });
    await withFileLock(path.join(this.dir, "history"), async () => {
      for (const [day, checks] of Object.entries(history.days)) await this.write(dayFile(day), DAY, checks);
      await this.write("incidents.json", INCIDENTS, history.incidents);
      await this.write("latest.json", LATEST, history.latest ?? {});
    });
  }

  async read(range: { fromDay: string; toDay: string }): Promise<History> {
    const names = await readdir(path.join(this.dir, "days")).catch(() => [] as string[]);
    const days: History["days"] = {};
    for (const name of names.sort()) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day && day >= range.fromDay && day <= range.toDay)
        days[day] = await this.document(dayFile(day), DAY);
    }
    const [incidents, latest] = await Promise.all([
      this.document("incidents.json", INCIDENTS),
      this.document("latest.json", LATEST),
    ]);
    return { days, incidents, latest };
  }
}
