/** `watchpost schema`: the JSON Schema editors use for check files. */
import { writeFile } from "node:fs/promises";
import { jsonSchema } from "../../checks/schema.js";
import { describeFileError, EnvironmentError, type Io } from "../context.js";

export async function schema(out: string | undefined, io: Io): Promise<number> {
  const text = `${JSON.stringify(jsonSchema(), null, 2)}\n`;
  if (!out) {
    io.stdout.write(text);
    return 0;
  }
  try {
    await writeFile(out, text);
  } catch (error) {
    throw new EnvironmentError(describeFileError(error, "write") ?? `cannot write ${out}: ${String(error)}`);
  }
  return 0;
}
