/**
 * What a check file's YAML may not do before it becomes data: nest without bound, expand aliases
 * without bound (billion laughs), or use keys that reach an object's prototype.
 */
import { type Document, isMap, isPair, isScalar, isSeq, type Node, visit } from "yaml";

/** Nesting deeper than any check file needs; deeper input is refused before it can exhaust the stack. */
export const MAX_DEPTH = 64;
export const TOO_DEEP = `expected at most ${MAX_DEPTH} levels of nesting, found more`;
/** The YAML library's own bound on alias expansion. */
export const MAX_ALIAS_COUNT = 100;
export const ALIAS_BOMB = `expected aliases (*name) to expand to at most ${MAX_ALIAS_COUNT} nodes each, found more: a YAML alias bomb is refused`;
/** Keys that would reach an object's prototype rather than be a key: refused wherever they appear. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The first node nested deeper than `limit` (an iterative walk: deep input must not overflow it). */
export function nodeDeeperThan(root: Node | null, limit: number): Node | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isMap(node) || isSeq(node)) {
      if (depth > limit) return node as Node;
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, depth + 1], [item.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

/** A key that is not plain text or reaches a prototype, at its offset. */
export interface KeyProblem {
  offset: number;
  message: string;
}

/** Every refused key of `doc`, and where its first alias is (for the alias bomb's message). */
export function keysAndAliases(doc: Document): { problems: KeyProblem[]; firstAlias?: number } {
  const problems: KeyProblem[] = [];
  let firstAlias: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      firstAlias ??= alias.range?.[0];
    },
    Pair(_, pair) {
      const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
      if (pair.key !== null && !isScalar(pair.key)) {
        problems.push({
          offset,
          message: "expected a plain text key, found a list or mapping used as a key",
        });
      } else if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        problems.push({
          offset,
          message: `expected a key other than ${[...FORBIDDEN_KEYS].join(", ")} (they mean something else to JavaScript), found "${String(pair.key.value)}"`,
        });
      }
    },
  });
  return { problems, ...(firstAlias !== undefined ? { firstAlias } : {}) };
}
