/**
 * Backups as S3 objects: the newest object under a prefix (optionally matching a glob and at least
 * a size). Date placeholders in the prefix (`db/{yyyy}/{mm}/{dd}/`) are filled in for today and the
 * days back to maxAge, newest first, so a huge bucket is never listed whole.
 */
import type { _Object } from "@aws-sdk/client-s3";
import { globMatcher } from "../../checks/glob.js";
import { formatBytes } from "../../units.js";
import type { S3Config } from "../config/backup/s3.js";
import { type BackupSource, call, type Lookup } from "./source.js";

const PLACEHOLDER = /\{(yyyy|mm|dd)\}/g;

/** The prefixes to list, newest first: one per day back to maxAge when the prefix has placeholders. */
export function prefixesFor(prefix: string, now: Date, maxAgeMs: number): string[] {
  if (!PLACEHOLDER.test(prefix)) return [prefix];
  const days = Math.ceil(maxAgeMs / 86_400_000) + 1;
  const out: string[] = [];
  for (let back = 0; back < days; back++) {
    const day = new Date(now.getTime() - back * 86_400_000);
    const parts: Record<string, string> = {
      yyyy: String(day.getUTCFullYear()),
      mm: String(day.getUTCMonth() + 1).padStart(2, "0"),
      dd: String(day.getUTCDate()).padStart(2, "0"),
    };
    const filled = prefix.replace(PLACEHOLDER, (_, key: string) => parts[key] as string);
    if (!out.includes(filled)) out.push(filled);
  }
  return out;
}

export const s3Source: BackupSource<S3Config> = {
  target: (cfg) => `s3://${cfg.bucket}/${cfg.prefix}`,

  async find(cfg, clients, target, { maxAgeMs, now, signal }): Promise<Lookup> {
    const client = await clients.s3(target);
    const { paginateListObjectsV2 } = await import("@aws-sdk/client-s3");
    const matches = cfg.match ? globMatcher(cfg.match) : undefined;
    const filters = [
      cfg.match ? `matching ${cfg.match}` : "",
      cfg.minSize ? `of at least ${formatBytes(cfg.minSize)}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    const subject = `object under s3://${cfg.bucket}/${cfg.prefix}${filters ? ` ${filters}` : ""}`;
    let listed = 0;
    for (const prefix of prefixesFor(cfg.prefix, now, maxAgeMs)) {
      let newest: _Object | undefined;
      const pages = paginateListObjectsV2(
        { client, pageSize: 1_000 },
        { Bucket: cfg.bucket, Prefix: prefix },
        { abortSignal: signal },
      );
      const next = () => call("s3:ListBucket", () => pages.next());
      for (let page = await next(); !page.done; page = await next()) {
        for (const object of page.value.Contents ?? []) {
          listed++;
          if (matches && !matches(object.Key ?? "")) continue;
          if (cfg.minSize !== undefined && (object.Size ?? 0) < cfg.minSize) continue;
          if (!newest || (object.LastModified?.getTime() ?? 0) > (newest.LastModified?.getTime() ?? 0))
            newest = object;
        }
        if (signal.aborted) throw signal.reason;
        if (listed >= cfg.maxObjects) {
          return {
            subject,
            ...(newest ? { newest: artifact(newest) } : {}),
            incomplete: `stopped after listing ${listed} objects (maxObjects); narrow the prefix or use {yyyy}/{mm}/{dd} in it`,
          };
        }
      }
      // Partitions are visited newest first: the first that holds a match holds the newest.
      if (newest) return { subject, newest: artifact(newest) };
    }
    return { subject };
  },

  permissions(cfg, scope) {
    return [{ actions: ["s3:ListBucket"], resources: [`arn:${scope.partition}:s3:::${cfg.bucket}`] }];
  },
};

function artifact(object: _Object) {
  return {
    identifier: object.Key ?? "",
    takenAt: object.LastModified ?? new Date(0),
    ...(object.Size !== undefined ? { sizeBytes: object.Size } : {}),
  };
}
