/**
 * The contract every store backend keeps (memory, a shared file, the state table through dynalite
 * and the real SDK): the stores on top rely on nothing else.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFLICT_ATTEMPTS } from "../../../lib/retry.js";
import { DynamoDbEntries } from "../../../lib/store/dynamodb-entries.js";
import { VersionConflict, type VersionedEntries } from "../../../lib/store/entries.js";
import { entriesDocument } from "../../../lib/store/file-document.js";
import { VersionedFileEntries } from "../../../lib/store/file-entries.js";
import { MemoryEntries } from "../../../lib/store/memory-entries.js";
import { type LocalDynamoDb, localDynamoDb } from "../../support/dynamodb.js";

interface Counter {
  n: number;
  version: number;
}

let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await localDynamoDb();
});
afterAll(() => dynamo?.close());

const backends: { name: string; make: () => Promise<VersionedEntries<Counter>> }[] = [
  { name: "memory", make: async () => new MemoryEntries<Counter>() },
  {
    name: "file",
    make: async () =>
      new VersionedFileEntries<Counter>(
        {
          file: path.join(await mkdtemp(path.join(tmpdir(), "watchpost-entries-")), "counters.json"),
          kind: entriesDocument("a counters file", "counters"),
        },
        (counter) => counter.version,
      ),
  },
  {
    name: "dynamodb",
    make: async () =>
      new DynamoDbEntries<Counter>({
        client: dynamo.client,
        tableName: await dynamo.freshTable(),
        prefix: "#test/",
        consistentReads: true,
        codec: {
          toItem: (counter) => ({ counter: { S: JSON.stringify(counter) } }),
          fromItem: (item) => (item.counter?.S ? (JSON.parse(item.counter.S) as Counter) : undefined),
        },
      }),
  },
];

/** One more, carrying its next version (as alert state does). */
const increment = (current: Counter | undefined) => {
  const next = { n: (current?.n ?? 0) + 1, version: (current?.version ?? 0) + 1 };
  return { write: next, result: next.n };
};

describe.each(backends)("$name entries", ({ make }) => {
  it("reads what was put, and leaves out what was never stored", async () => {
    const entries = await make();
    await entries.put("a", { n: 1, version: 0 });
    expect((await entries.get("a"))?.value).toEqual({ n: 1, version: 0 });
    expect(await entries.get("b")).toBeUndefined();
    const many = await entries.getMany(["a", "b", "constructor"]);
    expect([...many.keys()]).toEqual(["a"]);
  });

  it("writes conditionally on the version, 0 for none stored", async () => {
    const entries = await make();
    expect(await entries.putIf("a", { n: 1, version: 1 }, 1, 0)).toBe(true);
    expect(await entries.putIf("a", { n: 9, version: 1 }, 1, 0)).toBe(false);
    expect(await entries.putIf("a", { n: 2, version: 2 }, 2, 1)).toBe(true);
    expect(await entries.putIf("a", { n: 9, version: 3 }, 3, 1)).toBe(false);
    expect(await entries.get("a")).toEqual({ value: { n: 2, version: 2 }, version: 2 });
  });

  it("never loses a change made at the same time, and writes nothing when nothing changed", async () => {
    const entries = await make();
    // Five at once: on a backend without a lock, each loses at most four times to the others.
    const results = await Promise.all(Array.from({ length: 5 }, () => entries.update("a", increment)));
    expect(results.sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await entries.get("a"))?.value.n).toBe(5);
    const before = await entries.get("a");
    expect(await entries.update("a", (current) => ({ result: current?.n }))).toBe(5);
    expect(await entries.get("a")).toEqual(before);
  });

  it("decides from an entry already read, and again from the stored one when another wrote first", async () => {
    const entries = await make();
    await entries.update("a", increment);
    const stale = await entries.get("a");
    await entries.update("a", increment);
    let conflicts = 0;
    const n = await entries.update("a", increment, { known: stale ?? null, onConflict: () => conflicts++ });
    expect(n).toBe(3);
    expect((await entries.get("a"))?.value.n).toBe(3);
    // A file is changed under its lock, from the file as it is then: it never conflicts.
    expect(conflicts).toBe(entries instanceof VersionedFileEntries ? 0 : 1);
  });
});

// A file is changed under its lock: another writer waits its turn instead of winning.
describe.each(backends.filter(({ name }) => name !== "file"))("$name entries without a lock", ({ make }) => {
  it("gives up when another writer wins every time, saying so", async () => {
    const entries = await make();
    let attempts = 0;
    const racing = entries.update("a", async (current) => {
      attempts++;
      // Another writer changes the entry after each decision, before it is written.
      await entries.putIf("a", increment(current).write, (current?.version ?? 0) + 1, current?.version ?? 0);
      return increment(current);
    });
    await expect(racing).rejects.toThrow(VersionConflict);
    await expect(racing).rejects.toThrow(`a changed under ${CONFLICT_ATTEMPTS} writes in a row`);
    expect(attempts).toBe(CONFLICT_ATTEMPTS);
  });
});
