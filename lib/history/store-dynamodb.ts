/**
 * History in the state table: one item per shard and day (`#hist/<shard>/<day>`, the day encoded
 * compactly and gzipped: lib/history/encoding.ts) and one of incidents per shard (`#inc/<shard>`),
 * each written conditionally on the version read, so two invocations never lose each other's runs.
 * Items expire after the retention (400 days by default) through the table's TTL.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbEntries, expiresAt } from "../store/dynamodb-entries.js";
import { listOf, mapOf } from "../store/shape.js";
import { decodeDay, encodeDay, type ShardDay } from "./encoding.js";
import { addTransitions } from "./incidents.js";
import {
  addResult,
  compact,
  DAY_MS,
  emptyHistory,
  type History,
  type Incident,
  RETAIN_DAYS,
} from "./model.js";
import { checkDayShape, incidentShape, latestShape } from "./shape.js";
import type { HistoryBatch, HistoryStore } from "./store.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
export const HISTORY_DAY_PREFIX = "#hist/";
export const INCIDENTS_PREFIX = "#inc/";
/** DynamoDB's item limit, less room for the other attributes. */
const MAX_BYTES = 390_000;

export interface DynamoDbHistoryOptions {
  client: Pick<DynamoDBClient, "send">;
  tableName: string;
  /** Every shard's id: read() reads them all when not told which. */
  shards: readonly string[];
  retainDays?: number;
  requestTimeoutMs?: number;
}

/** Finished days kept decoded per container: they no longer change, so a page reads them once. */
const FINISHED_DAYS_CACHED = 5_000;

export class DynamoDbHistory implements HistoryStore {
  readonly name: string;
  /** `<shard>/<day>` → the shard's day. */
  private readonly days: DynamoDbEntries<ShardDay>;
  /** `<shard>` → its incidents. */
  private readonly incidents: DynamoDbEntries<Incident[]>;
  private readonly finished = new Map<string, ShardDay | null>();

  constructor(private readonly options: DynamoDbHistoryOptions) {
    this.name = `dynamodb ${options.tableName} (history)`;
    const table = {
      client: options.client,
      tableName: options.tableName,
      requestTimeoutMs: options.requestTimeoutMs,
    };
    const retainDays = options.retainDays ?? RETAIN_DAYS;
    this.days = new DynamoDbEntries({
      ...table,
      prefix: HISTORY_DAY_PREFIX,
      codec: {
        toItem: async (day, key) => ({
          data: { B: bounded(`${HISTORY_DAY_PREFIX}${key}`, await encodeDay(day)) },
          ...expiresAt(Date.parse(key.slice(key.lastIndexOf("/") + 1)) + (retainDays + 1) * DAY_MS),
        }),
        fromItem: async (item, key) => {
          if (!item.data?.B) return undefined;
          const day = await decodeDay(item.data.B);
          // Refused, never summed into a page or written over: the run names the item.
          const problem = mapOf(checkDayShape)(day.checks) ?? mapOf(latestShape)(day.latest ?? {});
          if (problem) throw new Error(`the history day ${JSON.stringify(key)} is malformed: ${problem}`);
          return day;
        },
      },
    });
    this.incidents = new DynamoDbEntries({
      ...table,
      prefix: INCIDENTS_PREFIX,
      codec: {
        toItem: async (incidents, key) => ({
          data: { B: bounded(`${INCIDENTS_PREFIX}${key}`, await gzipAsync(JSON.stringify(incidents))) },
        }),
        fromItem: async (item, key) => {
          if (!item.data?.B) return undefined;
          const incidents = JSON.parse((await gunzipAsync(item.data.B)).toString("utf8")) as Incident[];
          const problem = listOf(incidentShape)(incidents);
          if (problem) throw new Error(`the incidents of ${JSON.stringify(key)} are malformed: ${problem}`);
          return incidents;
        },
      },
    });
  }

  async record(batch: HistoryBatch, signal?: AbortSignal): Promise<void> {
    const byDay = new Map<string, HistoryBatch["entries"]>();
    for (const entry of batch.entries) {
      if (entry.status === "skipped") continue;
      const day = entry.startedAt.slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), entry]);
    }
    await Promise.all([
      ...[...byDay].map(([day, entries]) =>
        this.days.update(
          `${batch.shard}/${day}`,
          (current) => {
            const history: History = {
              days: { [day]: current?.checks ?? {} },
              incidents: [],
              latest: current?.latest ?? {},
            };
            for (const entry of entries) addResult(history, entry, entry.intervalMs, entry.slowMs);
            const next: ShardDay = {
              checks: history.days[day] ?? {},
              ...(history.latest ? { latest: history.latest } : {}),
            };
            return { write: next, result: undefined };
          },
          { signal },
        ),
      ),
      ...(batch.transitions.length > 0
        ? [
            this.incidents.update(
              batch.shard,
              (current) => {
                const history: History = { ...emptyHistory(), incidents: current ?? [] };
                addTransitions(history, batch.transitions);
                compact(history, batch.now, this.options.retainDays);
                return { write: history.incidents, result: undefined };
              },
              { signal },
            ),
          ]
        : []),
    ]);
  }

  async read(
    range: { fromDay: string; toDay: string; shards?: readonly string[] },
    signal?: AbortSignal,
  ): Promise<History> {
    const shards = range.shards ?? this.options.shards;
    const days: string[] = [];
    for (let at = Date.parse(range.fromDay); at <= Date.parse(range.toDay); at += DAY_MS)
      days.push(new Date(at).toISOString().slice(0, 10));
    // Days before yesterday are finished (a run that started before midnight is written by then).
    const finishedBefore = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const dayKeys = shards.flatMap((shard) => days.map((day) => ({ key: `${shard}/${day}`, day })));
    const [stored, incidents] = await Promise.all([
      this.days.getMany(
        dayKeys.filter(({ key }) => !this.finished.has(key)).map(({ key }) => key),
        { signal },
      ),
      this.incidents.getMany(shards, { signal }),
    ]);
    const history: History = { ...emptyHistory(), latest: {} };
    for (const shard of shards) history.incidents.push(...(incidents.get(shard)?.value ?? []));
    const latestDay = new Map<string, string>();
    for (const { key, day } of dayKeys) {
      const decoded = this.finished.has(key) ? this.finished.get(key) : stored.get(key)?.value;
      // A finished day no longer changes, and one with no item stays without one.
      if (day < finishedBefore && !this.finished.has(key) && this.finished.size < FINISHED_DAYS_CACHED)
        this.finished.set(key, decoded ?? null);
      if (!decoded) continue;
      history.days[day] = { ...history.days[day], ...decoded.checks };
      for (const [check, latest] of Object.entries(decoded.latest ?? {}))
        if ((latestDay.get(check) ?? "") <= day && (history.latest?.[check]?.at ?? "") <= latest.at) {
          latestDay.set(check, day);
          (history.latest as NonNullable<History["latest"]>)[check] = latest;
        }
    }
    return history;
  }
}

/** The bytes of an item that must fit DynamoDB's item limit; refused with the figure if not. */
function bounded(key: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_BYTES)
    throw new Error(
      `${key} would be ${bytes.length} bytes gzipped, more than a DynamoDB item holds; make shards smaller (maxChecksPerShard)`,
    );
  return bytes;
}
