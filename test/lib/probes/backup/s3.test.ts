/** S3 backup checks against s3rver through the real AWS SDK. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../lib/aws/clients.js";
import { main } from "../../../../lib/cli/main.js";
import { runChecks } from "../../../../lib/engine.js";
import { prefixesFor } from "../../../../lib/probes/backup/s3.js";
import type { CheckResult } from "../../../../lib/result.js";
import { check } from "../../../support/checks.js";
import { type LocalS3, startLocalS3 } from "../../../support/s3.js";

const HOUR = 3_600_000;
let s3: LocalS3;
let listed: string[] = [];

beforeAll(async () => {
  s3 = await startLocalS3(["backups", "huge", "partitioned"]);
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ListObjectsV2Command")
        listed.push((args.input as { Prefix?: string }).Prefix ?? "");
      return next(args);
    },
    { step: "initialize", name: "recordPrefixes" },
  );
  await s3.seed("backups", "exports/db/2026-11-20.dump", 30 * HOUR, 2048);
  await s3.seed("backups", "exports/db/2026-11-20.log", 1 * HOUR);
  await s3.seed("backups", "exports/db/empty.dump", 2 * HOUR, 0);
  await s3.seed("backups", "fresh/db/ok.dump", 20 * HOUR);
  const day = (back: number) =>
    new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "/");
  await s3.seed("partitioned", `db/${day(1)}/dump.sql.gz`, 26 * HOUR);
  await s3.seed("partitioned", `db/${day(3)}/dump.sql.gz`, 3 * 24 * HOUR);
}, 60_000);

afterAll(() => s3?.close());

const clients = { s3: () => s3.client } as unknown as AwsClients;

async function backup(s3Config: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  listed = [];
  const [result] = await runChecks(
    [check({ name: "b", timeout: "30s", backup: { maxAge: "26h", s3: s3Config, ...extra } })],
    {
      aws: clients,
    },
  );
  if (!result) throw new Error("no result");
  return result;
}

describe("backup: s3", () => {
  it("is down when the newest matching object is 30h old, naming the key and its age", async () => {
    const result = await backup({
      bucket: "backups",
      prefix: "exports/db/",
      match: "*.dump",
      minSize: "1KiB",
    });
    expect(result.status).toBe("down");
    expect(result.reason).toBe(
      "newest object under s3://backups/exports/db/ matching *.dump of at least 1KiB is 30h old (exports/db/2026-11-20.dump), allowed 26h",
    );
    expect(result.facts?.backup).toMatchObject({ identifier: "exports/db/2026-11-20.dump", sizeBytes: 2048 });
    expect(result.facts?.backup?.ageSeconds).toBeGreaterThanOrEqual(30 * 3600);
  });

  it("is up at 20h, and degraded past degradedAge", async () => {
    const up = await backup({ bucket: "backups", prefix: "fresh/db/" });
    expect(up).toMatchObject({
      status: "up",
      reason: "newest object under s3://backups/fresh/db/ is 20h old (fresh/db/ok.dump)",
    });
    const degraded = await backup({ bucket: "backups", prefix: "fresh/db/" }, { degradedAge: "12h" });
    expect(degraded).toMatchObject({
      status: "degraded",
      reason: expect.stringMatching(/is 20h old \(fresh\/db\/ok\.dump\), expected under 12h$/),
    });
  });

  it("is down when nothing matches, and when the bucket does not exist", async () => {
    expect(await backup({ bucket: "backups", prefix: "nothing/" })).toMatchObject({
      status: "down",
      reason: "no object under s3://backups/nothing/",
    });
    const missing = await backup({ bucket: "no-such-bucket", prefix: "x/" });
    expect(missing.status).toBe("down");
    expect(missing.reason).toBe("s3://no-such-bucket/x/ does not exist (NoSuchBucket on s3:ListBucket)");
  });

  it("lists only the date partitions it needs, newest first", async () => {
    const result = await backup({ bucket: "partitioned", prefix: "db/{yyyy}/{mm}/{dd}/" }, { maxAge: "2d" });
    expect(result.status, result.reason).toBe("up");
    expect(result.reason).toMatch(
      /^newest object under s3:\/\/partitioned\/db\/\{yyyy\}\/\{mm\}\/\{dd\}\/ is 26h old/,
    );
    // Today was empty, yesterday held the answer: two partitions, nothing else.
    expect(listed).toEqual(prefixesFor("db/{yyyy}/{mm}/{dd}/", new Date(), 2 * 86_400_000).slice(0, 2));
    expect(listed).toHaveLength(2);
  });

  it("handles 10,000 objects across pages, and says when it stopped at maxObjects", async () => {
    for (let batch = 0; batch < 10_000; batch += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => {
          const i = batch + j;
          return s3.seed("huge", `dumps/part-${String(i).padStart(5, "0")}.gz`, (10_000 - i) * 60_000 + HOUR);
        }),
      );
    }
    const all = await backup({ bucket: "huge", prefix: "dumps/" }, { maxAge: "1d" });
    expect(all.status, all.reason).toBe("up");
    expect(all.facts?.backup?.identifier).toBe("dumps/part-09999.gz");
    expect(listed).toHaveLength(10);
    const capped = await backup({ bucket: "huge", prefix: "dumps/", maxObjects: 2_000 }, { maxAge: "2h" });
    expect(capped.status).toBe("unknown");
    expect(capped.reason).toMatch(
      /^newest object under s3:\/\/huge\/dumps\/ is 5d1[34]h old \(dumps\/part-01999\.gz\), allowed 2h \(stopped after listing 2000 objects \(maxObjects\); narrow the prefix or use \{yyyy\}\/\{mm\}\/\{dd\} in it\)$/,
    );
  }, 120_000);

  it("declares the permission it needs", async () => {
    const { PROBES } = await import("../../../../lib/probes/index.js");
    const spec = check({ backup: { maxAge: "1d", s3: { bucket: "backups", prefix: "x/" } } });
    expect(
      PROBES.backup.permissions?.(spec.config as never, { partition: "aws", region: "*", account: "*" }),
    ).toEqual([{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::backups"] }]);
  });
});

describe("backup: s3 through watchpost run", () => {
  it("reads a local S3 named by the SDK's own AWS_ENDPOINT_URL_S3: down at 30h, up at 20h", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "watchpost-backup-"));
    await writeFile(
      path.join(folder, "backups.yml"),
      `checks:
  - name: db-export
    backup: { maxAge: 26h, s3: { bucket: backups, prefix: exports/db/, match: "*.dump", minSize: 1KiB } }
  - name: db-export-fresh
    backup: { maxAge: 26h, s3: { bucket: backups, prefix: fresh/db/ } }
`,
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    });
    let out = "";
    const sink = new PassThrough().on("data", (chunk: Buffer) => {
      out += chunk.toString();
    }) as unknown as NodeJS.WriteStream;
    try {
      const code = await main(
        ["run", "--checks", folder, "--json", "--state", path.join(folder, "state.json")],
        { stdout: sink, stderr: sink },
      );
      expect(code, out).toBe(1);
    } finally {
      process.env = saved;
    }
    const results = JSON.parse(out.slice(out.indexOf("["))) as CheckResult[];
    expect(results.map((r) => [r.name, r.status, r.reason])).toEqual([
      [
        "db-export",
        "down",
        "newest object under s3://backups/exports/db/ matching *.dump of at least 1KiB is 30h old (exports/db/2026-11-20.dump), allowed 26h (4 of 4 attempts failed)",
      ],
      ["db-export-fresh", "up", "newest object under s3://backups/fresh/db/ is 20h old (fresh/db/ok.dump)"],
    ]);
  });
});

describe("date placeholders", () => {
  it("fill in UTC dates back to maxAge, newest first", () => {
    expect(prefixesFor("db/{yyyy}/{mm}/{dd}/", new Date("2026-03-01T05:00:00Z"), 26 * HOUR)).toEqual([
      "db/2026/03/01/",
      "db/2026/02/28/",
      "db/2026/02/27/",
    ]);
    expect(prefixesFor("exports/", new Date(), 26 * HOUR)).toEqual(["exports/"]);
  });
});
