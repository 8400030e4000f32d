/**
 * Where the parts of a check file were written: a light tree of offsets that whichever parser read the
 * text fills in, so a check's positions outlive the YAML library's document for it.
 */
import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";

/** A node's offset; a mapping's entries by key with their keys' offsets; a list's items. */
export interface Placed {
  at: number;
  entries?: Map<unknown, { keyAt: number; value: Placed | undefined }>;
  items?: (Placed | undefined)[];
}

/** Line and column (1-based) of a path of keys and indexes, or of `key` in the mapping there. */
export type Locate = (path: readonly PropertyKey[], key?: string) => { line: number; column: number };

/**
 * Offset of the node at `path` (or of `key` in the mapping there); the nearest existing ancestor
 * when the path runs past what the file holds (a missing field points at its parent).
 */
export function offsetIn(root: Placed | undefined, path: readonly PropertyKey[], key?: string): number {
  let node = root;
  let offset = root?.at ?? 0;
  for (const segment of path) {
    const entry = node?.entries?.get(segment);
    if (entry) {
      offset = entry.value?.at ?? entry.keyAt;
      node = entry.value;
      continue;
    }
    const item = typeof segment === "number" ? node?.items?.[segment] : undefined;
    if (!item) return offset;
    offset = item.at;
    node = item;
  }
  if (key !== undefined) return node?.entries?.get(key)?.keyAt ?? offset;
  return offset;
}

/**
 * The offsets of a node the YAML library composed, moved by `shift` (when the text it read was a
 * piece of the file). `stop` is a node whose own offset is kept but not its children's.
 */
export function placedOf(
  node: unknown,
  shift: (offset: number) => number,
  stop?: unknown,
): Placed | undefined {
  if (!node || typeof node !== "object") return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  const placed: Placed = { at: shift(range?.[0] ?? 0) };
  if (node === stop) return placed;
  if (isMap(node)) {
    placed.entries = new Map();
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key) || placed.entries.has(pair.key.value)) continue;
      placed.entries.set(pair.key.value, {
        keyAt: shift(pair.key.range?.[0] ?? 0),
        value: placedOf(pair.value, shift, stop),
      });
    }
  } else if (isSeq(node)) {
    placed.items = node.items.map((item) => placedOf(item, shift, stop));
  }
  return placed;
}

/** `offsetIn` for a node of a document the YAML library parsed (a small file, such as channels.yml). */
export function offsetOf(root: Node | null, path: readonly PropertyKey[], key?: string): number {
  return offsetIn(
    placedOf(root, (offset) => offset),
    path,
    key,
  );
}
