/** The `rds` source of a `backup:` block: its schema (run time: lib/probes/backup/rds.ts). */
import { z } from "zod";

const IDENTIFIER = "an RDS identifier of letters, digits and dashes";

export const rdsConfig = z
  .strictObject({
    instance: z
      .string({ error: IDENTIFIER })
      .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, { error: IDENTIFIER })
      .optional(),
    cluster: z
      .string({ error: IDENTIFIER })
      .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, { error: IDENTIFIER })
      .optional(),
  })
  .refine((cfg) => (cfg.instance === undefined) !== (cfg.cluster === undefined), {
    error: "exactly one of instance or cluster",
  });

export type RdsConfig = z.output<typeof rdsConfig>;
