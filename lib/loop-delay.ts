/**
 * How late the event loop runs, while checks run. A probe's timestamps are taken when its callbacks
 * run; when the loop is busy (many TLS handshakes at once, a large body parsed) they run late and a
 * healthy target reads slow. The engine records the worst delay each attempt saw, so a `degraded`
 * verdict that the delay could explain is measured again (lib/engine.ts), and a result says what
 * its figures were taken under.
 *
 * A timer every 10 ms notes how much later than due it ran. (perf_hooks' monitorEventLoopDelay does
 * not see a loop blocked inside a callback, measured on Node 20: a 200 ms block read as 10 ms.)
 */

const RESOLUTION_MS = 10;
/** Samples kept: a minute of them, more than any check's attempt lasts. */
const KEEP = 6_000;

class LoopDelaySampler {
  private users = 0;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() of each tick, and how late it was, in a ring. */
  private readonly at = new Float64Array(KEEP);
  private readonly late = new Float64Array(KEEP);
  private count = 0;
  private last = 0;

  acquire(): void {
    if (this.users++ > 0) return;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const slot = this.count % KEEP;
      this.at[slot] = now;
      this.late[slot] = Math.max(0, now - this.last - RESOLUTION_MS);
      this.count++;
      this.last = now;
    }, RESOLUTION_MS);
    // Never what keeps a process (or a Lambda invocation) alive.
    this.timer.unref();
  }

  release(): void {
    if (--this.users > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The worst delay the loop had between `from` and `to` (performance.now() times): every tick in
   * that span, the first after it (which reports a block that ended the span), and, when asked right
   * away, the time since the last tick.
   */
  worst(from: number, to: number): number {
    // A block that has just ended has no tick yet: the gap since the last one is its delay so far.
    const now = performance.now();
    let worst = this.timer && to >= now - RESOLUTION_MS ? Math.max(0, now - this.last - RESOLUTION_MS) : 0;
    const oldest = Math.max(0, this.count - KEEP);
    for (let i = this.count - 1; i >= oldest; i--) {
      const slot = i % KEEP;
      const at = this.at[slot] as number;
      if (at < from) break;
      if (at <= to + (this.late[slot] as number) + RESOLUTION_MS)
        worst = Math.max(worst, this.late[slot] as number);
    }
    return worst;
  }
}

/** One sampler for the process: runs of checks share it while any is under way. */
export const loopDelay = new LoopDelaySampler();
