/**
 * What one stage hands the next, in order: results for the sinks, decisions for delivery and history.
 * Every consumer sees every item from the first, at its own pace; a feed holds one run's few items.
 */
export class Feed<T> {
  private readonly items: T[] = [];
  private closed = false;
  private waiting: (() => void)[] = [];

  push(item: T): void {
    if (this.closed) throw new Error("a feed takes nothing after it is closed");
    this.items.push(item);
    this.wake();
  }

  /** Nothing more will come: each consumer ends once it has had every item. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (let next = 0; ; next++) {
      while (next >= this.items.length) {
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
      yield this.items[next] as T;
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
