/**
 * Finding and reading check files: symlinked files and folders are followed (a Kubernetes ConfigMap
 * mount is all symlinks), each real file is read once, loops are cut, and a file must be UTF-8 text
 * of a bounded size. Problems come back as positions and words, never as exceptions.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

/** Larger check files are refused: split them into several (a folder is read recursively). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const CHECK_FILE = /\.ya?ml$/;

/**
 * Every `*.yml`/`*.yaml` under `target` (or `target` itself when it is a file), sorted, following
 * symlinks. Hidden folders (`.git`, a ConfigMap's `..data`) are not entered; a file reached by two
 * paths is listed once, under its first path; a folder that links back to one being read is skipped.
 */
export function findCheckFiles(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  const found: string[] = [];
  const seenFiles = new Set<string>();
  const walk = (dir: string, ancestors: Set<string>) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      let stats: ReturnType<typeof statSync>;
      let real: string;
      try {
        stats = statSync(full);
        real = realpathSync(full);
      } catch {
        continue; // a dangling symlink, or one that loops on itself
      }
      if (stats.isDirectory()) {
        if (name.startsWith(".") || ancestors.has(real)) continue;
        walk(full, new Set([...ancestors, real]));
      } else if (stats.isFile() && CHECK_FILE.test(name) && !seenFiles.has(real)) {
        seenFiles.add(real);
        found.push(full);
      }
    }
  };
  walk(target, new Set([realpathSync(target)]));
  return found.sort();
}

export type FileText = { text: string } | { problem: string; line: number; column: number };

/** The file as text, or why not: too large, or not UTF-8 (named at the first bad byte). */
export function readCheckFile(file: string): FileText {
  const bytes = readFileSync(file);
  if (bytes.length > MAX_FILE_BYTES)
    return {
      problem: `expected a check file of at most ${MAX_FILE_BYTES / 1_048_576} MiB, found ${(bytes.length / 1_048_576).toFixed(1)} MiB: split it into several files (a folder is read recursively)`,
      line: 1,
      column: 1,
    };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
    return {
      problem: `expected UTF-8 text, found the byte 0x${(bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0")}, which is not valid UTF-8 here (save the file as UTF-8)`,
      line,
      column,
    };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}
