/**
 * A live progress line on a terminal's stderr while a run takes more than a second: how many checks
 * are done, and what the slowest in flight are waiting on. Nothing when stderr is not a terminal or
 * with --json; the line is erased before results are printed.
 */
import type { CheckResult } from "../result.js";
import { clip } from "../text.js";
import { formatLatency, terminalText } from "./output.js";

const SHOW_AFTER_MS = 1_000;
const REDRAW_MS = 250;

export class Progress {
  private readonly inFlight = new Map<string, { stage: string; since: number }>();
  private done = 0;
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A progress line only on a terminal, and not when stdout carries JSON. */
  static for(stream: NodeJS.WriteStream, total: number, json: boolean): Progress | undefined {
    return stream.isTTY && !json ? new Progress(stream, total) : undefined;
  }

  start(): void {
    const started = this.now();
    this.timer = setInterval(() => {
      if (this.now() - started >= SHOW_AFTER_MS) this.draw();
    }, REDRAW_MS);
    this.timer.unref();
  }

  stage(check: string, stage: string): void {
    const current = this.inFlight.get(check);
    this.inFlight.set(check, { stage, since: current?.since ?? this.now() });
  }

  result(result: CheckResult): void {
    this.inFlight.delete(result.name);
    this.done++;
  }

  /** The line as drawn now: `12/40 done; waiting 8.2s on api (waiting for response headers from …)`. */
  line(width: number): string {
    const slowest = [...this.inFlight.entries()].sort((a, b) => a[1].since - b[1].since).slice(0, 2);
    const waiting = slowest
      .map(([check, { stage, since }]) => `${formatLatency(this.now() - since)} on ${check} (${stage})`)
      .join(", ");
    const text = `${this.done}/${this.total} done${waiting ? `; waiting ${waiting}` : ""}`;
    return clip(terminalText(text), width);
  }

  private draw(): void {
    this.shown = true;
    this.stream.write(`\r\x1b[K${this.line((this.stream.columns ?? 80) - 1)}`);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.shown) this.stream.write("\r\x1b[K");
    this.shown = false;
  }
}
