/** `watchpost schema`: the JSON Schema editors use for check files. */
import { writeFile } from "node:fs/promises";
import { jsonSchema } from "../../checks/schema.js";
import { command } from "../command.js";
import { describeFileError, EnvironmentError, type Io } from "../context.js";
import { shared } from "../options.js";

export const schemaCommand = command({
  name: "schema",
  summary: "Print the JSON Schema of check files",
  usage: "watchpost schema [options]",
  options: { out: shared.out },
  examples: ["watchpost schema --out schema/checks.schema.json"],
  exits: ["2: --out cannot be written"],
  run: ({ values }, io) => schema(values.out, io),
});

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
