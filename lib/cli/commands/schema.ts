/** `watchpost schema`: the JSON Schema editors use for check files. */
import { writeFile } from "node:fs/promises";
import { jsonSchema } from "../../checks/schema.js";
import type { Io } from "../context.js";

export async function schema(out: string | undefined, io: Io): Promise<number> {
  const text = `${JSON.stringify(jsonSchema(), null, 2)}\n`;
  if (out) await writeFile(out, text);
  else io.stdout.write(text);
  return 0;
}
