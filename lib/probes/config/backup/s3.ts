/** The `s3` source of a `backup:` block: its schema (run time: lib/probes/backup/s3.ts). */

import { z } from "zod";
import { size } from "../../../checks/fields.js";
import { globProblem } from "../../../checks/glob.js";

export const s3Config = z.strictObject({
  bucket: z.string({ error: "an S3 bucket name" }).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    error: "an S3 bucket name (3 to 63 lower-case letters, digits, dots, dashes)",
  }),
  prefix: z.string({ error: "a key prefix such as exports/db/ or db/{yyyy}/{mm}/{dd}/" }).default("").meta({
    description:
      "Key prefix; {yyyy}, {mm} and {dd} are filled in (UTC) for today and the days back to maxAge.",
  }),
  match: z
    .string({ error: "a glob such as *.dump or **/*.tar.gz" })
    .superRefine((glob, ctx) => {
      const problem = globProblem(glob);
      if (problem)
        ctx.addIssue({ code: "custom", message: `a glob such as *.dump or **/*.tar.gz (${problem})` });
    })
    .optional()
    .meta({
      description:
        "Glob: * within a path segment, ** across them, ? one character, [ab] a class, {a,b} alternatives. Without a / it matches the object's name (the key's last segment); with one, the whole key.",
    }),
  minSize: size.optional().meta({ description: "Ignore smaller objects (half-written or empty dumps)." }),
  maxObjects: z
    .number({ error: "a whole number of objects from 1,000 to 10,000,000" })
    .int({ error: "a whole number of objects from 1,000 to 10,000,000" })
    .min(1_000, { error: "a whole number of objects from 1,000 to 10,000,000" })
    .max(10_000_000, { error: "a whole number of objects from 1,000 to 10,000,000" })
    .default(100_000)
    .meta({ description: "Stop listing after this many objects (said in the reason). Default 100000." }),
});

export type S3Config = z.output<typeof s3Config>;
