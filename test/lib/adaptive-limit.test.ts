import { describe, expect, it } from "vitest";
import { AdaptiveLimit, HIGH_MS } from "../../lib/adaptive-limit.js";

/** A loop delay the test sets. */
function delay(initial = 0) {
  const source = { late: initial, worst: () => source.late };
  return source;
}

async function settle() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe("AdaptiveLimit", () => {
  it("starts at its floor and climbs to the configured concurrency while the loop is calm", async () => {
    const gate = new AdaptiveLimit(64, delay(0));
    expect(gate.current).toBe(8);
    const entered: number[] = [];
    for (let i = 0; i < 64; i++) void gate.enter().then(() => entered.push(i));
    await settle();
    // Each start on a calm loop raises the limit by a quarter, so the whole first wave gets in.
    expect(entered.length).toBe(64);
    expect(gate.current).toBe(64);
  });

  it("lets fewer in while the loop runs late, never below the floor, and no more than the limit", async () => {
    const source = delay(0);
    const gate = new AdaptiveLimit(64, source);
    for (let i = 0; i < 64; i++) await gate.enter();
    expect(gate.current).toBe(64);
    source.late = HIGH_MS * 3;
    let inFlight = 64;
    let started = 0;
    const waiting = Array.from({ length: 200 }, () =>
      gate.enter().then(() => {
        started++;
        inFlight++;
      }),
    );
    // Checks end one by one on a late loop: the limit falls by a quarter per settle period.
    for (let round = 0; round < 40; round++) {
      gate.leave();
      inFlight--;
      await settle();
      expect(inFlight).toBeLessThanOrEqual(Math.max(gate.current, 64 - round));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(gate.current).toBe(8);
    expect(gate.lowest).toBe(8);
    expect(inFlight).toBeLessThanOrEqual(24);
    // Calm again: waiting checks start without any check ending (all in flight could hang).
    source.late = 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gate.current).toBe(64);
    expect(inFlight).toBe(64);
    for (let i = 0; i < 300; i++) gate.leave();
    await Promise.all(waiting);
    expect(started).toBe(200);
  });

  it("never starts more than its maximum", async () => {
    const gate = new AdaptiveLimit(4, delay(0));
    let inFlight = 0;
    let most = 0;
    const work = async () => {
      await gate.enter();
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      gate.leave();
    };
    await Promise.all(Array.from({ length: 50 }, work));
    expect(most).toBe(4);
  });
});
