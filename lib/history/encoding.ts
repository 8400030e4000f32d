/**
 * A shard's day of history, compact for storage: the checks of a shard run together, so the runs
 * of each five-minute slot are kept once for the shard, and each check keeps only where it differs
 * (fewer runs counted, down, slow runs), usually nothing. Gzipped JSON.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { CheckDay, Latest } from "./model.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

type Sparse = Record<string, number>;

interface EncodedCheck extends Omit<CheckDay, "slots"> {
  /** Slot → runs fewer than the shard's (unknown or skipped here). */
  fewer?: Sparse;
  bad?: Sparse;
  slow?: Sparse;
}

interface EncodedDay {
  /** Slot → the most runs any check of the shard had in it. */
  runs: Sparse;
  checks: Record<string, EncodedCheck>;
  latest?: Record<string, Latest>;
}

export interface ShardDay {
  checks: Record<string, CheckDay>;
  latest?: Record<string, Latest>;
}

export async function encodeDay(day: ShardDay): Promise<Uint8Array> {
  return gzipAsync(encodeDayJson(day));
}

/** The day as the JSON that is gzipped (the cost model sizes items with it). */
export function encodeDayJson(day: ShardDay): string {
  const runs: Sparse = {};
  for (const check of Object.values(day.checks))
    for (const [slot, [n]] of Object.entries(check.slots ?? {})) runs[slot] = Math.max(runs[slot] ?? 0, n);
  const checks: Record<string, EncodedCheck> = {};
  for (const [name, { slots, ...rest }] of Object.entries(day.checks)) {
    const fewer: Sparse = {};
    const bad: Sparse = {};
    const late: Sparse = {};
    // Every slot the shard ran in: a check that has none of it ran fewer there.
    for (const [slot, most] of Object.entries(runs)) {
      const [n, down, slow] = slots?.[slot] ?? [0, 0, 0];
      if (n !== most) fewer[slot] = most - n;
      if (down > 0) bad[slot] = down;
      if (slow > 0) late[slot] = slow;
    }
    const some = (sparse: Sparse) => Object.keys(sparse).length > 0;
    const encoded: EncodedCheck = {
      ...rest,
      ...(some(fewer) ? { fewer } : {}),
      ...(some(bad) ? { bad } : {}),
      ...(some(late) ? { slow: late } : {}),
    };
    checks[name] = encoded;
  }
  const body: EncodedDay = { runs, checks, ...(day.latest ? { latest: day.latest } : {}) };
  return JSON.stringify(body);
}

export async function decodeDay(bytes: Uint8Array): Promise<ShardDay> {
  const body = JSON.parse((await gunzipAsync(bytes)).toString("utf8")) as EncodedDay;
  const checks: Record<string, CheckDay> = {};
  for (const [name, { fewer, bad, slow, ...rest }] of Object.entries(body.checks)) {
    const slots: Record<string, [number, number, number]> = {};
    for (const [slot, n] of Object.entries(body.runs)) {
      const runs = n - (fewer?.[slot] ?? 0);
      const down = bad?.[slot] ?? 0;
      const late = slow?.[slot] ?? 0;
      if (runs > 0 || down > 0 || late > 0) slots[slot] = [runs, down, late];
    }
    checks[name] = { ...rest, ...(Object.keys(slots).length > 0 ? { slots } : {}) };
  }
  return { checks, ...(body.latest ? { latest: body.latest } : {}) };
}
