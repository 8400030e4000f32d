/**
 * Ping tokens. Each heartbeat check's token is derived from one key (the deployment's secret, or the
 * local key file beside the state file), so there is no per-check secret to create and none in the
 * template; a check may name its own token by reference instead (`token: ${secret:…}`).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Resolvers, resolveReferences } from "../checks/references.js";

/** The token a check's pings must carry, from the key. */
export function deriveToken(key: string, check: string): string {
  return createHmac("sha256", key).update(`watchpost heartbeat v1\0${check}`).digest("base64url");
}

/** Whether `given` is `expected`, in time that does not depend on where they differ. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** `.watchpost/state.json` → `.watchpost/heartbeat.key`. */
export function keyFileFor(stateFile: string): string {
  return path.join(path.dirname(stateFile), "heartbeat.key");
}

/** The local key: read, or made (random, readable by the owner only) on first use. */
export async function localKey(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString("base64url");
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    // Another process made it first: theirs is the key.
    if ((error as { code?: string }).code === "EEXIST") return (await readFile(file, "utf8")).trim();
    throw error;
  }
}

/** How long a token read by reference is reused before it is read again (a rotated secret takes this long). */
const TOKEN_CACHE_MS = 5 * 60_000;

/**
 * Each heartbeat check's token, by name: its own reference resolved (and kept a few minutes), or
 * derived from the key.
 */
export function checkTokens(
  checks: readonly { name: string; kind: string; config: unknown }[],
  key: () => Promise<string>,
  resolvers: Resolvers,
): Map<string, () => Promise<string>> {
  const out = new Map<string, () => Promise<string>>();
  for (const check of checks) {
    if (check.kind !== "heartbeat") continue;
    const reference = (check.config as { token?: string }).token;
    if (reference === undefined) {
      out.set(check.name, async () => deriveToken(await key(), check.name));
      continue;
    }
    let cached: { value: string; until: number } | undefined;
    out.set(check.name, async () => {
      if (cached && cached.until > Date.now()) return cached.value;
      const value = await resolveReferences(reference, resolvers);
      cached = { value, until: Date.now() + TOKEN_CACHE_MS };
      return value;
    });
  }
  return out;
}
