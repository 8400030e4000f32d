/**
 * The ping endpoint authenticates before it limits: refusals are counted by the address they came
 * from, so nobody who knows a check's name (it is on the status page and in the ping URL) can use
 * up the job's own pings.
 */
import { describe, expect, it } from "vitest";
import {
  PINGS_PER_MINUTE,
  PingEndpoint,
  type PingRequest,
  REFUSALS_PER_MINUTE,
  REFUSALS_PER_SOURCE,
} from "../../../lib/heartbeat/endpoint.js";
import { MemoryHeartbeats } from "../../../lib/heartbeat/store.js";

const TOKEN = "right-t0ken";

function endpoint() {
  let now = Date.parse("2026-12-06T12:00:00Z");
  const store = new MemoryHeartbeats();
  const ping = new PingEndpoint({
    tokens: new Map([["nightly-backup", async () => TOKEN]]),
    store,
    now: () => now,
  });
  const send = (source: string, token?: string, path = "/ping/nightly-backup") => {
    const request: PingRequest = {
      method: "POST",
      path,
      query: new URLSearchParams(),
      bodyBytes: 0,
      source,
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    };
    return ping.handle(request);
  };
  const pings = async () => (await store.get("nightly-backup", now)).pings;
  return { send, pings, advance: (ms: number) => (now += ms) };
}

describe("the ping endpoint under a flood", () => {
  it("records the right token from another address and from the flooding one after 100 wrong pings", async () => {
    const { send, pings } = endpoint();
    const flood: number[] = [];
    for (let i = 0; i < 100; i++) flood.push((await send("203.0.113.9", `guess-${i}`)).status);
    expect(flood.slice(0, REFUSALS_PER_SOURCE)).toEqual(Array(REFUSALS_PER_SOURCE).fill(401));
    expect(new Set(flood.slice(REFUSALS_PER_SOURCE))).toEqual(new Set([429]));
    expect(await pings()).toBe(0);

    expect(await send("198.51.100.7", TOKEN)).toMatchObject({
      status: 200,
      body: "recorded success for nightly-backup\n",
    });
    expect(await send("203.0.113.9", TOKEN)).toMatchObject({ status: 200 });
    expect(await pings()).toBe(2);
    // The flooding address is still refused for what it guesses; another address is not.
    expect((await send("203.0.113.9", "guess-again")).status).toBe(429);
    expect((await send("198.51.100.7", "guess-again")).status).toBe(401);
  });

  it("keeps the right token working when refusals from many addresses use up the endpoint's budget", async () => {
    const { send, pings } = endpoint();
    for (let i = 0; i < REFUSALS_PER_MINUTE; i++) await send(`10.0.${i >> 8}.${i & 255}`, "guess");
    expect((await send("10.9.9.9", "guess")).status).toBe(429);
    expect((await send("10.9.9.9", undefined, "/ping/no-such-job")).status).toBe(429);
    expect((await send("10.9.9.9", TOKEN)).status).toBe(200);
    expect(await pings()).toBe(1);
  });

  it("counts unknown names and missing tokens as refusals of their source, and forgets them after a minute", async () => {
    const { send, advance } = endpoint();
    for (let i = 0; i < REFUSALS_PER_SOURCE / 2; i++) await send("192.0.2.5", undefined);
    for (let i = 0; i < REFUSALS_PER_SOURCE / 2; i++) await send("192.0.2.5", TOKEN, `/ping/job-${i}`);
    expect((await send("192.0.2.5", undefined)).status).toBe(429);
    advance(61_000);
    expect((await send("192.0.2.5", undefined)).status).toBe(401);
  });

  it("limits a check's pings only by pings that carry its token", async () => {
    const { send, pings } = endpoint();
    for (let i = 0; i < 50; i++) await send(`192.0.2.${i}`, "guess");
    const statuses: number[] = [];
    for (let i = 0; i < PINGS_PER_MINUTE + 2; i++) statuses.push((await send("198.51.100.7", TOKEN)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(PINGS_PER_MINUTE);
    expect(statuses.slice(PINGS_PER_MINUTE)).toEqual([429, 429]);
    expect(await pings()).toBe(PINGS_PER_MINUTE);
  });

  it("clips what it repeats of a request and shows only printable text", async () => {
    const { send } = endpoint();
    const name = `${"x".repeat(200)}`;
    const long = await send("192.0.2.1", TOKEN, `/ping/${name}`);
    expect(long.status).toBe(404);
    expect(long.body.length).toBeLessThan(120);
    expect(long.body).toContain("…");
    const hostile = await send("192.0.2.2", TOKEN, "/ping/%1B%5B2J%0D%0Aforged");
    expect(hostile.body).toBe('no heartbeat check named "\\u001b[2J\\u000d\\u000aforged"\n');
    const action = await send("192.0.2.3", TOKEN, `/ping/nightly-backup/${"r".repeat(100)}`);
    expect(action.status).toBe(404);
    expect(action.body.length).toBeLessThan(140);
  });
});
