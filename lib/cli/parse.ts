/**
 * A command's options from its command line, as its spec declares them, and a mistake in them said in
 * Watchpost's words: a typo gets a suggestion, another command's option says whose it is.
 */
import { parseArgs } from "node:util";
import { didYouMean } from "../checks/diagnostics.js";
import type { Command, OptionSpec, Value } from "./command.js";
import { UsageError } from "./context.js";
import { GLOBAL_OPTIONS } from "./options.js";

export interface CommandLine {
  values: Record<string, Value>;
  positionals: string[];
}

export function parseCommandLine(
  command: Command,
  commands: readonly Command[],
  args: string[],
): CommandLine {
  const specs: Record<string, OptionSpec> = { ...command.options, ...GLOBAL_OPTIONS };
  const names = Object.keys(specs);
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
        ...(o.type === "boolean"
          ? { default: false }
          : o.default !== undefined
            ? { default: o.default }
            : {}),
      },
    ]),
  );
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: options as never,
    }) as CommandLine;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'(-{1,2}[^' ]+)/.exec((error as Error).message)?.[1] ?? "";
    const bare = flag.replace(/^-+/, "");
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const owners = commands.filter((c) => Object.hasOwn(c.options, bare)).map((c) => c.name);
      if (owners.length > 0)
        throw new UsageError(
          `${flag} is an option of watchpost ${owners.join(", ")}, not of watchpost ${command.name}`,
        );
      const suggestion = didYouMean(bare, names);
      throw new UsageError(
        `watchpost ${command.name} has no option ${flag}${suggestion ? `; did you mean --${suggestion}?` : ""}`,
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const o = Object.hasOwn(specs, bare) ? specs[bare] : undefined;
      throw new UsageError(
        o?.type === "boolean"
          ? `${flag} takes no value`
          : `${flag} expects a value (${o?.value ?? "a value"})`,
      );
    }
    throw error;
  }
}
