/**
 * How many checks may be in flight, adapted to how late the event loop runs. Every timestamp a probe
 * takes waits for the loop; when many TLS handshakes (or large bodies) keep it busy, a healthy
 * target reads slow and the figures of a large shard get worse with its size. Before each check
 * starts and ends, and every `TICK_MS` while checks wait, the loop's recent delay is read: above
 * `HIGH_MS` the limit shrinks by a quarter (at most once per `SETTLE_MS`, never below the floor);
 * below `LOW_MS` it grows by a quarter, up to the configured concurrency. A run starts at the floor,
 * so its first burst of handshakes does not delay itself; on a calm loop the limit reaches 64 within
 * about 100 ms. Waiting checks start as soon as the number in flight is under the limit.
 *
 * The floor keeps a run moving: a busy loop means checks are cheap to finish, not that they hang
 * (hanging checks leave the loop idle, and the limit climbs to its top).
 */
export const HIGH_MS = 10;
export const LOW_MS = 2;
const SETTLE_MS = 50;
const TICK_MS = 10;
/** The recent past the decision looks at. */
const WINDOW_MS = 100;

export interface DelaySource {
  /** The worst delay between two performance.now() times. */
  worst(from: number, to: number): number;
}

export class AdaptiveLimit {
  private limit: number;
  private inFlight = 0;
  private lastCut = Number.NEGATIVE_INFINITY;
  private readonly waiting: (() => void)[] = [];
  /** The lowest the limit went, for the run's record. */
  lowest: number;

  constructor(
    private readonly max: number,
    private readonly delay: DelaySource,
    private readonly floor = Math.min(max, Math.max(4, Math.ceil(max / 8))),
  ) {
    this.limit = this.floor;
    this.lowest = this.floor;
  }

  get current(): number {
    return this.limit;
  }

  /** Resolves when one more check may start; pair with `leave()`. */
  async enter(): Promise<void> {
    this.adapt();
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    // Counted in by whoever wakes it.
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.tick();
    });
  }

  private ticking: NodeJS.Timeout | undefined;

  /** While checks wait, the limit may grow with no check starting or ending (all in flight hang). */
  private tick(): void {
    if (this.ticking) return;
    this.ticking = setInterval(() => {
      this.adapt();
      this.wakeUpTo();
      if (this.waiting.length === 0) {
        clearInterval(this.ticking);
        this.ticking = undefined;
      }
    }, TICK_MS);
    this.ticking.unref();
  }

  leave(): void {
    this.adapt();
    const next = this.inFlight <= this.limit ? this.waiting.shift() : undefined;
    // A waiting check takes the slot over; otherwise it is given back.
    if (next) next();
    else this.inFlight--;
    this.wakeUpTo();
  }

  private wakeUpTo(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limit) {
      this.inFlight++;
      this.waiting.shift()?.();
    }
  }

  private adapt(): void {
    const now = performance.now();
    const late = this.delay.worst(now - WINDOW_MS, now);
    if (late > HIGH_MS) {
      if (now - this.lastCut >= SETTLE_MS && this.limit > this.floor) {
        this.limit = Math.max(this.floor, Math.floor((this.limit * 3) / 4));
        this.lowest = Math.min(this.lowest, this.limit);
        this.lastCut = now;
      }
    } else if (late < LOW_MS && this.limit < this.max) {
      this.limit = Math.min(this.max, this.limit + Math.max(1, Math.floor(this.limit / 4)));
    }
  }
}
