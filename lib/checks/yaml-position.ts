/** Where a path of keys and indexes points in a parsed YAML document: for positioned messages. */
import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";

/**
 * Source offset of the node at `issuePath` (or of `key` in the mapping there); the nearest existing
 * ancestor when the path runs past what the file holds (a missing field points at its parent).
 */
export function offsetOf(root: Node | null, issuePath: readonly PropertyKey[], key?: string): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of issuePath) {
    const child = childOf(node, segment);
    if (!child) return offset;
    offset = (child.value ?? child.key)?.range?.[0] ?? offset;
    node = child.value;
  }
  if (key !== undefined) return childOf(node, key)?.key?.range?.[0] ?? offset;
  return offset;
}

function childOf(node: unknown, segment: PropertyKey): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
    return pair ? { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined } : undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment] as Node | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}
