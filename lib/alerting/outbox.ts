/**
 * Who delivers an outbox entry, and until when. Deciding claims what it wrote in the same conditional
 * write (so no other invocation starts delivering it meanwhile); delivering settles the claims.
 */
import { randomUUID } from "node:crypto";
import { deadHere, HOST } from "../local-process.js";
import type { OutboxEntry } from "./state-machine.js";

/** A claim outlives its run by this much: a call cut at the deadline may still be answered. */
const CLAIM_MARGIN_MS = 30_000;
/** Without a run deadline: how long another invocation leaves a claimed entry alone. */
const DEFAULT_CLAIM_MS = 300_000;

/** Until when a run that ends at `deadline` (or, without one, started at `now`) holds its claims. */
export function claimUntil(deadline: number | undefined, now: Date, claimMs = DEFAULT_CLAIM_MS): number {
  return (deadline ?? now.getTime() + claimMs) + CLAIM_MARGIN_MS;
}

export function claim(entry: OutboxEntry, owner: string, until: number): OutboxEntry {
  return { ...entry, claimedBy: owner, claimedUntil: until };
}

/** Nobody delivers it: never claimed, released, its claimant's run is over, or its claimant died. */
export function claimable(entry: OutboxEntry, now: Date): boolean {
  return (
    entry.claimedUntil === undefined || entry.claimedUntil <= now.getTime() || claimantGone(entry.claimedBy)
  );
}

/**
 * A claimant name for a process of this machine (`local:HOST:PID:…`): another process on it can tell
 * once this one is gone, so a run killed while delivering holds its claims no longer than its life.
 */
export function localClaimant(): string {
  return `local:${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function claimantGone(claimant: string | undefined): boolean {
  const match = /^local:(.+):(\d+):[^:]+$/.exec(claimant ?? "");
  return match !== null && deadHere(match[1] as string, Number(match[2]));
}

export function release(entry: OutboxEntry): OutboxEntry {
  const { claimedBy: _, claimedUntil: __, ...rest } = entry;
  return rest;
}
