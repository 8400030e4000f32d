/** `watchpost --help` and `watchpost <command> --help`, written from the commands' own specs. */
import type { Command, OptionSpec } from "./command.js";
import { GLOBAL_OPTIONS } from "./options.js";

function optionLine([name, o]: [string, OptionSpec]): [string, string] {
  const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
  const shown = o.default ?? o.defaultText;
  const fallback = shown !== undefined && o.type === "string" ? ` Default: ${shown}` : "";
  return [flag, `${o.help}.${fallback}`];
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join("\n");
}

export function usage(commands: readonly Command[]): string {
  return `Usage: watchpost <command> [options]

Commands:
${table(commands.map((c) => [c.name, c.summary]))}

Options for every command:
${table(Object.entries(GLOBAL_OPTIONS).map(optionLine))}

Run 'watchpost <command> --help' for a command's options, defaults and examples.
Exit codes: 0 ok; 1 a check is down, unknown or skipped; 2 a problem with the input or environment;
3 a sink or notification failed; 70 an internal error; 130 interrupted.
`;
}

export function commandHelp(c: Command): string {
  return `Usage: ${c.usage}

${c.summary}.

Options:
${table(Object.entries({ ...c.options, ...GLOBAL_OPTIONS }).map(optionLine))}

Examples:
${c.examples.map((e) => `  ${e}`).join("\n")}

Exit codes: 0 ok; ${c.exits.join("; ")}.
`;
}
