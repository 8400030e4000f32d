import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { entriesDocument } from "../../../lib/store/file-document.js";
import { FileEntries } from "../../../lib/store/file-entries.js";

const kind = entriesDocument<number>("a counters file", "counters");

async function counters(pretty = false) {
  const file = path.join(
    await mkdtemp(path.join(tmpdir(), "watchpost-file-entries-")),
    "sub",
    "counters.json",
  );
  return { file, entries: new FileEntries<number>({ file, kind, pretty }) };
}

const increment = (current: number | undefined) => ({
  write: (current ?? 0) + 1,
  result: (current ?? 0) + 1,
});

describe("entries in a shared file", () => {
  it("keeps the document's format, indented when people read it", async () => {
    const { file, entries } = await counters(true);
    await entries.put("a", 1);
    expect(await readFile(file, "utf8")).toBe('{\n  "format": 1,\n  "counters": {\n    "a": 1\n  }\n}\n');
    const compact = await counters();
    await compact.entries.put("a", 1);
    expect(await readFile(compact.file, "utf8")).toBe('{"format":1,"counters":{"a":1}}\n');
  });

  it("keeps every change of two writers sharing the file, each under the file's lock", async () => {
    const { file } = await counters();
    const writers = [new FileEntries<number>({ file, kind }), new FileEntries<number>({ file, kind })];
    await Promise.all(
      writers.flatMap((writer) =>
        Array.from({ length: 20 }, (_, i) => writer.update(`c${i % 3}`, increment)),
      ),
    );
    const stored = await writers[0]?.getMany(["c0", "c1", "c2"]);
    expect([...(stored?.values() ?? [])].map((entry) => entry.value)).toEqual([14, 14, 12]);
  });

  it("refuses only the change that failed; the others asked with it are written", async () => {
    const { entries } = await counters();
    const outcomes = await Promise.allSettled([
      entries.update("a", increment),
      entries.update("b", increment),
      entries.update("c", () => {
        throw new Error("cannot decide");
      }),
      entries.update("d", increment),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect([...(await entries.getMany(["a", "b", "c", "d"])).keys()]).toEqual(["a", "b", "d"]);
  });

  it("names a file that is not of its format, with the way out, and writes nothing over it", async () => {
    const { file, entries } = await counters();
    await entries.verify();
    await writeFile(file, '{"format":2}');
    const refused = `${file} is not a counters file (not a counters file); move it away to start afresh`;
    await expect(entries.get("a")).rejects.toThrow(refused);
    await expect(entries.update("a", increment)).rejects.toThrow(refused);
    expect(await readFile(file, "utf8")).toBe('{"format":2}');
  });
});
