/**
 * History in the state table: one item per shard and day (`#hist/<shard>/<day>`, the day encoded
 * compactly and gzipped: lib/history/encoding.ts) and one of incidents per shard (`#inc/<shard>`),
 * each written conditionally on the version read, so two invocations never lose each other's runs.
 * Items expire after the retention (400 days by default) through the table's TTL.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "../aws/batch-get.js";
import { updateVersioned } from "../aws/versioned-item.js";
import { withTimeout } from "../deadline.js";
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
  private readonly finished = new Map<string, ShardDay | null>();

  constructor(private readonly options: DynamoDbHistoryOptions) {
    this.name = `dynamodb ${options.tableName} (history)`;
  }

  private call(signal?: AbortSignal) {
    return { abortSignal: withTimeout(this.options.requestTimeoutMs ?? 5_000, signal) };
  }

  async record(batch: HistoryBatch, signal?: AbortSignal): Promise<void> {
    const byDay = new Map<string, HistoryBatch["entries"]>();
    for (const entry of batch.entries) {
      if (entry.status === "skipped") continue;
      const day = entry.startedAt.slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), entry]);
    }
    const expires = (day: string) =>
      Math.floor((Date.parse(day) + ((this.options.retainDays ?? RETAIN_DAYS) + 1) * DAY_MS) / 1000);
    await Promise.all([
      ...[...byDay].map(([day, entries]) =>
        this.change(`${HISTORY_DAY_PREFIX}${batch.shard}/${day}`, expires(day), signal, async (bytes) => {
          const current: ShardDay = bytes ? await decodeDay(bytes) : { checks: {} };
          const history: History = {
            days: { [day]: current.checks },
            incidents: [],
            latest: current.latest ?? {},
          };
          for (const entry of entries) addResult(history, entry, entry.intervalMs, entry.slowMs);
          return encodeDay({
            checks: history.days[day] ?? {},
            ...(history.latest ? { latest: history.latest } : {}),
          });
        }),
      ),
      ...(batch.transitions.length > 0
        ? [
            this.change(`${INCIDENTS_PREFIX}${batch.shard}`, undefined, signal, async (bytes) => {
              const history: History = {
                ...emptyHistory(),
                incidents: bytes ? await unzipJson<Incident[]>(bytes) : [],
              };
              addTransitions(history, batch.transitions);
              compact(history, batch.now, this.options.retainDays);
              return gzipAsync(JSON.stringify(history.incidents));
            }),
          ]
        : []),
    ]);
  }

  /** The item's bytes changed by `update`, written conditionally on the version read. */
  private change(
    key: string,
    expiresAt: number | undefined,
    signal: AbortSignal | undefined,
    update: (bytes: Uint8Array | undefined) => Promise<Uint8Array>,
  ): Promise<void> {
    return updateVersioned(
      this.options.client,
      this.options.tableName,
      key,
      () => this.call(signal),
      async (item) => {
        const bytes = await update(item?.data?.B);
        if (bytes.length > MAX_BYTES)
          throw new Error(
            `${key} would be ${bytes.length} bytes gzipped, more than a DynamoDB item holds; make shards smaller (maxChecksPerShard)`,
          );
        return {
          value: undefined,
          attributes: {
            data: { B: bytes },
            ...(expiresAt !== undefined ? { expiresAt: { N: String(expiresAt) } } : {}),
          },
        };
      },
    );
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
    const dayKeys = shards.flatMap((shard) =>
      days.map((day) => ({ key: `${HISTORY_DAY_PREFIX}${shard}/${day}`, day })),
    );
    const cached = dayKeys.filter(({ key }) => this.finished.has(key));
    const keys = [
      ...dayKeys.filter(({ key }) => !this.finished.has(key)).map(({ key }) => key),
      ...shards.map((shard) => `${INCIDENTS_PREFIX}${shard}`),
    ];
    const items = await batchGetItems(
      this.options.client,
      this.options.tableName,
      keys.map((key) => ({ check: { S: key } })),
      { callOptions: () => this.call(signal) },
    );
    const history: History = { ...emptyHistory(), latest: {} };
    const latestDay = new Map<string, string>();
    const decodedDays: { day: string; decoded: ShardDay }[] = [];
    const found = new Set<string>();
    for (const item of items) {
      const key = item.check?.S ?? "";
      const bytes = item.data?.B;
      if (!bytes) continue;
      found.add(key);
      if (key.startsWith(INCIDENTS_PREFIX)) {
        history.incidents.push(...(await unzipJson<Incident[]>(bytes)));
        continue;
      }
      const day = key.slice(key.lastIndexOf("/") + 1);
      const decoded = await decodeDay(bytes);
      if (day < finishedBefore && this.finished.size < FINISHED_DAYS_CACHED) this.finished.set(key, decoded);
      decodedDays.push({ day, decoded });
    }
    // A finished day with no item stays without one.
    for (const { key, day } of dayKeys)
      if (
        day < finishedBefore &&
        !found.has(key) &&
        !this.finished.has(key) &&
        this.finished.size < FINISHED_DAYS_CACHED
      )
        this.finished.set(key, null);
    for (const { key, day } of cached) {
      const decoded = this.finished.get(key);
      if (decoded) decodedDays.push({ day, decoded });
    }
    for (const { day, decoded } of decodedDays) {
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

async function unzipJson<T>(bytes: Uint8Array): Promise<T> {
  return JSON.parse((await gunzipAsync(bytes)).toString("utf8")) as T;
}
